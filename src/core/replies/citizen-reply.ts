import type { E164 } from '../phone.js';
import type { StoreData } from '../store-data.js';
import type { Subscriber, SubscriberId } from '../subscriber.js';
import type { SubscriberTransaction } from '../ports/subscriber-store.js';
import { SubscriberBook } from '../subscriber-book.js';
import { resubscribe, unsubscribe } from '../subscribers.js';
import { findTopic, type Topic, type TopicId } from '../topic.js';
import type { ReplyContent } from '../transport.js';
import { withUserId, type WhatsAppIdentity } from '../whatsapp-identity.js';
import type { ReplyCommand } from './reply-command.js';
import { findStopTopic } from './stop-topic.js';
import { toggleTopic } from './topic-toggle.js';
import { topicMenu, type PrivacyNotice } from './topic-menu.js';

/**
 * One citizen's message, as the webhook adapter hands it over: who wrote (their number, their WhatsApp user id, or
 * both — at least one), which message, when.
 */
export interface CitizenMessage extends WhatsAppIdentity {
  /** The provider's message id: the consent source of what it changes is `whatsapp:<id>`. */
  readonly messageId: string;
  readonly at: string;
}

/** What a reply changed, and the short confirmation the citizen gets back. */
export interface ReplyOutcome {
  readonly subscriberId?: SubscriberId;
  readonly changed: boolean;
  /** The answer as plain text: what is sent when there is no `content`, and what a log or the outbox shows. */
  readonly answer: string;
  /** The answer as the citizen gets it when it is more than text: the topic list to tap, or reply buttons. */
  readonly content?: ReplyContent;
  /**
   * The user id Meta gave with the message is already this other subscriber's: it was not given to the one who wrote
   * (found by number), and the two records are one citizen for a person to merge. A STOP is applied to both.
   */
  readonly userIdTakenBy?: SubscriberId;
}

const HELP =
  'Comandi: STOP per non ricevere più messaggi; STOP seguito da un argomento per lasciare solo quello; ' +
  'ISCRIVI seguito da un argomento per riceverlo; ARGOMENTI per la lista degli argomenti.';

function topicList(topics: readonly Topic[], followed: readonly string[]): string {
  const lines = topics.map((t) => `${followed.includes(t.id) ? '✓' : '•'} ${t.id} — ${t.label}`);
  return `Argomenti:\n${lines.join('\n')}\nScrivi ISCRIVI seguito dall'argomento per riceverlo, STOP seguito dall'argomento per lasciarlo.`;
}

/** The help text for a citizen, also sent (at most once a day) when a reply is not understood. */
export const HELP_ANSWER = HELP;

/** Whether the store already holds a change made by this message: Meta redelivers for days. */
export function isAlreadyApplied(data: StoreData | SubscriberTransaction, messageId: string): boolean {
  return SubscriberBook.of(data).hasSource(`whatsapp:${messageId}`);
}

/** The answer to `CONFERMA <code>` when no pending sign-up of that number has that code. */
export const NO_SIGNUP_ANSWER = 'Questo codice non è valido o è scaduto. Per iscriverti compila di nuovo il modulo sul sito del Comune.';
const NOT_SUBSCRIBED = 'Questo numero non è iscritto: non riceverà messaggi.';
const STOPPED = 'Fatto: non riceverai più messaggi. Per iscriverti di nuovo scrivi ISCRIVI seguito da un argomento.';

/** What the replies need beyond the store: the privacy notice a stranger's tap on a topic consents under. */
export interface ReplyOptions {
  readonly notice?: PrivacyNotice;
}

/**
 * Applies a citizen's reply to the store (under its lock): STOP opts them out of everything, STOP followed by a
 * topic's name leaves that topic, STOP followed by anything else ("Stop, grazie", "stop promotions") is a full stop,
 * ISCRIVI with a topic joins it — from an unknown citizen this creates a subscriber whose consent is the message
 * itself. ARGOMENTI, ISCRIVI alone and anything a stranger writes are answered with the topic list to tap (the
 * stranger is not subscribed by writing); a tap on a topic (`toggle`) joins it, or leaves it when they follow it, and
 * subscribes a stranger with the tap as consent, under the privacy notice's version. The citizen is found by number, else by WhatsApp user id, and a user id Meta gave is kept. Every change of
 * choices goes in the consent history. Never throws for a citizen's words: an unknown topic or number is answered.
 */
export function applyReply(store: StoreData | SubscriberTransaction, command: ReplyCommand, message: CitizenMessage, newId: () => SubscriberId, options: ReplyOptions = {}): ReplyOutcome {
  const book = SubscriberBook.of(store);
  const catalogue = book.topics();
  const found = book.find(message);
  const change = { at: message.at, source: `whatsapp:${message.messageId}` };
  // what Meta says about who they are is learnt whatever they wrote, so a later STOP by user id alone finds them
  const learning = found === undefined ? undefined : withUserId(book, found, message.userId, message.at);
  const subscriber = learning?.subscriber;
  if (subscriber !== undefined && subscriber !== found) book.replace(subscriber);
  const learnt = subscriber !== found;
  const taken = learning?.takenBy === undefined ? {} : { userIdTakenBy: learning.takenBy };
  const save = (next: Subscriber, answer: string): ReplyOutcome => {
    if (subscriber !== undefined && next === subscriber) return { subscriberId: next.id, changed: learnt, answer, ...taken };
    book.replace(next);
    return { subscriberId: next.id, changed: true, answer, ...taken };
  };
  const unchanged = (answer: string): ReplyOutcome => ({ ...(subscriber === undefined ? {} : { subscriberId: subscriber.id }), changed: learnt, answer, ...taken });
  const followed: readonly TopicId[] = subscriber?.status === 'active' ? subscriber.topics : [];
  const stranger = subscriber === undefined;
  const menu = (page?: number) => topicMenu(catalogue, followed, page, stranger ? { ...(options.notice === undefined ? {} : { notice: options.notice }) } : undefined);
  const listed = (outcome: ReplyOutcome, page?: number): ReplyOutcome => (catalogue.length === 0 ? outcome : { ...outcome, content: menu(page) });
  const unknownTopic = (name: string): ReplyOutcome => listed(unchanged(`Non conosco l'argomento "${name}". ${topicList(catalogue, subscriber?.topics ?? [])}`));
  switch (command.kind) {
    case 'stop':
    case 'leave': {
      if (subscriber === undefined) return { changed: false, answer: NOT_SUBSCRIBED };
      // only a name the catalogue knows makes it a topic stop: anything else after a stop word is still a stop
      const topic = command.kind === 'leave' ? findStopTopic(catalogue, command.topic) : undefined;
      // the record that has their user id is the same citizen: their opt-out holds there too (not a merge)
      const holder = learning?.takenBy === undefined ? undefined : book.findById(learning.takenBy);
      if (holder !== undefined) book.replace(unsubscribe(holder, topic?.id, change));
      if (topic === undefined) return save(unsubscribe(subscriber, undefined, change), STOPPED);
      return save(unsubscribe(subscriber, topic.id, change), `Fatto: non riceverai più messaggi su "${topic.label}".`);
    }
    case 'join': {
      if (command.topic === undefined) return listed({ changed: false, answer: topicList(catalogue, subscriber?.topics ?? []) });
      const topic = findTopic(catalogue, command.topic);
      if (topic === undefined) return unknownTopic(command.topic);
      const answer = `Fatto: riceverai i messaggi su "${topic.label}". Scrivi STOP per non riceverne più.`;
      if (subscriber !== undefined) return save(resubscribe(subscriber, topic.id, change), answer);
      const added = book.add(
        { ...(message.phone === undefined ? {} : { phone: message.phone }), topics: [topic.id], channel: 'whatsapp', attributes: {} },
        { id: newId(), now: message.at, consent: { source: change.source, at: message.at, note: `ISCRIVI ${topic.id} by WhatsApp` } },
      );
      if (message.userId !== undefined) book.replace({ ...added, whatsappUserId: message.userId });
      return { subscriberId: added.id, changed: true, answer };
    }
    case 'topics':
      return listed(unchanged(topicList(catalogue, subscriber?.topics ?? [])), command.page);
    case 'toggle': {
      const topic = catalogue.find((t) => t.id === command.topic);
      if (topic === undefined) return unknownTopic(command.topic);
      const toggled = toggleTopic(book, { subscriber, topic, message, change, newId, ...(options.notice === undefined ? {} : { notice: options.notice.version }) });
      if (subscriber === undefined) return { subscriberId: toggled.subscriber.id, changed: true, answer: toggled.answer.body, content: toggled.answer };
      return { ...save(toggled.subscriber, toggled.answer.body), content: toggled.answer };
    }
    case 'help':
      return unchanged(HELP);
    case 'confirm':
      // a sign-up's code is the batch's to check against the sign-up store (applyConfirmReply): here, none was found
      return unchanged(NO_SIGNUP_ANSWER);
    case 'unknown':
      // a stranger's first words get the list, which subscribes nobody; a subscriber's get the commands
      return stranger ? listed(unchanged(HELP)) : unchanged(HELP);
    default: {
      const unreachable: never = command;
      return unreachable;
    }
  }
}

/**
 * WhatsApp's own "stop/resume offers and announcements" (`user_preferences`): it blocks marketing templates only,
 * so it is recorded in the consent history and changes no topic. The citizen is their number or an identity (number
 * and/or user id). Returns whether anything was recorded.
 */
export function recordMarketingPreference(store: StoreData | SubscriberTransaction, who: E164 | WhatsAppIdentity, value: 'stop' | 'resume', change: { readonly at: string; readonly source: string }): boolean {
  const book = SubscriberBook.of(store);
  const subscriber = book.find(typeof who === 'string' ? { phone: who } : who);
  if (subscriber === undefined) return false;
  if ((subscriber.history ?? []).some((e) => e.source === change.source)) return false;
  const action = value === 'stop' ? 'marketing-stopped' : 'marketing-resumed';
  // a user id another subscriber has is not taken (withUserId); the preference is recorded all the same
  const known = typeof who === 'string' ? subscriber : withUserId(book, subscriber, who.userId, change.at).subscriber;
  book.replace({ ...known, history: [...(subscriber.history ?? []), { at: change.at, action, source: change.source }], updatedAt: change.at });
  return true;
}
