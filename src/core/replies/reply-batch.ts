import type { StoreData } from '../store-data.js';
import type { SubscriberId } from '../subscriber.js';
import type { SubscriberTransaction } from '../ports/subscriber-store.js';
import { isStoreData, SubscriberBook } from '../subscriber-book.js';
import { unsubscribe } from '../subscribers.js';
import { chooseTopics } from '../topic-choice.js';
import type { TopicId } from '../topic.js';
import type { WhatsAppIdentity } from '../whatsapp-identity.js';
import { applyReply, recordMarketingPreference, type CitizenMessage, type ReplyOptions, type ReplyOutcome } from './citizen-reply.js';
import { applyIdentityChange, learnUserId, type IdentityChange, type IdentityOutcome } from './identity-change.js';
import type { ReplyCommand } from './reply-command.js';
import { findStopTopic } from './stop-topic.js';
import { applyConfirmReply } from './confirm-reply.js';
import type { PendingSignup } from '../signup/pending-signups.js';
import { confirmSignup } from '../signup/confirm-signup.js';

/** One thing the webhook server's applier changes in the store, in the order the event log has them. */
export type StoreEvent =
  /** `signup`: for a `CONFERMA <code>`, the pending sign-up it confirms, found by the applier before the change. */
  | { readonly kind: 'reply'; readonly message: CitizenMessage; readonly command: ReplyCommand; readonly signup?: PendingSignup }
  /** A web sign-up confirmed on its page (the e-mail's link); `signup` as the sign-up store held it then, if it still did. */
  | { readonly kind: 'signup-confirmed'; readonly signupId: string; readonly at: string; readonly signup?: PendingSignup }
  | { readonly kind: 'preference'; readonly identity: WhatsAppIdentity; readonly value: 'stop' | 'resume'; readonly at: string; readonly source: string }
  | { readonly kind: 'identity'; readonly change: IdentityChange }
  | { readonly kind: 'user-id'; readonly subscriberId: string; readonly userId: string; readonly at: string }
  | { readonly kind: 'unsubscribe'; readonly subscriberId: string; readonly topic?: string; readonly at: string; readonly source: string }
  | { readonly kind: 'preferences'; readonly subscriberId: string; readonly topics: readonly string[]; readonly at: string; readonly source: string }
  | { readonly kind: 'unreachable'; readonly subscriberId: string; readonly at: string };

/** An opt-out for running sends (the opt-out feed): a subscriber who no longer receives everything, or one topic. */
export interface BatchOptOut {
  readonly subscriberId: string;
  readonly topic?: string;
  readonly at: string;
}

export interface BatchResult {
  /** The replies applied now, each with the confirmation for its citizen; one already in the store is not here. */
  readonly replies: ReadonlyArray<{ readonly message: CitizenMessage; readonly command: ReplyCommand; readonly outcome: ReplyOutcome }>;
  /** What running sends must stop, as the store holds it after the whole batch. */
  readonly optOuts: readonly BatchOptOut[];
  /** Identity changes that could not be applied (no numbers: they go to the server's log). */
  readonly identities: readonly IdentityOutcome[];
  /** How many events changed something. */
  readonly changed: number;
  /** The web sign-ups now in the store (or found there already): the sign-up store lets them go. */
  readonly confirmedSignups: readonly string[];
}

const sourceOf = (messageId: string) => `whatsapp:${messageId}`;

/** Everyone and everything the batch names, so the book finds them all in one pass over the store. */
export function storeEventHints(events: readonly StoreEvent[]) {
  const phones: string[] = [];
  const userIds: string[] = [];
  const ids: string[] = [];
  const sources: string[] = [];
  const emails: string[] = [];
  const signup = (p: PendingSignup | undefined) => {
    if (p === undefined) return;
    if (p.phone !== undefined) phones.push(p.phone);
    if (p.email !== undefined) emails.push(p.email);
    sources.push(`web:iscriviti:${p.id}`);
  };
  const who = (identity: WhatsAppIdentity) => {
    if (identity.phone !== undefined) phones.push(identity.phone);
    if (identity.userId !== undefined) userIds.push(identity.userId);
  };
  for (const e of events) {
    if (e.kind === 'reply') {
      who(e.message);
      sources.push(sourceOf(e.message.messageId));
      signup(e.signup);
    } else if (e.kind === 'signup-confirmed') signup(e.signup);
    else if (e.kind === 'preference') who(e.identity);
    else if (e.kind === 'identity') {
      who(e.change.before);
      who({ ...(e.change.kind === 'number-changed' ? { phone: e.change.phone } : {}), ...(e.change.userId === undefined ? {} : { userId: e.change.userId }) });
      sources.push(sourceOf(e.change.messageId));
    } else ids.push(e.subscriberId);
  }
  return { phones, userIds, ids, sources, emails };
}

/** Whether the subscriber, as the store now holds them, no longer receives that topic (or anything). */
function isOptedOut(book: SubscriberTransaction, subscriberId: string, topic: string | undefined): boolean {
  const subscriber = book.findById(subscriberId);
  if (subscriber === undefined) return false;
  if (subscriber.status === 'unsubscribed') return true;
  return topic !== undefined && !subscriber.topics.includes(topic as TopicId);
}

/**
 * Applies a batch of the event log to the store, under its one lock (the caller's `store.change`, whose book was made with `storeEventHints`): citizens'
 * replies (a message id already in a consent source is skipped), `user_preferences`, number and user-id changes,
 * user ids learnt from receipts, one-click unsubscribes, preference-page choices and unreachable flags, in order, through one SubscriberBook.
 * Safe to apply twice. The opt-outs returned are checked against the store after the whole batch, so a STOP followed
 * by an ISCRIVI in the same batch stops nothing, and a batch applied again after a crash (its replies now skipped)
 * still names the opt-outs it made, for the feed that the crash may have missed. `user_preferences` stop is not an
 * opt-out: it blocks marketing templates at Meta, and changes no topic here.
 */
export function applyStoreEvents(store: StoreData | SubscriberTransaction, events: readonly StoreEvent[], newId: () => SubscriberId, options: ReplyOptions = {}): BatchResult {
  const book = isStoreData(store) ? new SubscriberBook(store, storeEventHints(events)) : store;
  const catalogue = book.topics();
  const replies: Array<BatchResult['replies'][number]> = [];
  const identities: IdentityOutcome[] = [];
  const candidates: BatchOptOut[] = [];
  const confirmedSignups: string[] = [];
  let changed = 0;
  for (const event of events) {
    switch (event.kind) {
      case 'reply': {
        const { message, command } = event;
        const topic = command.kind === 'leave' ? findStopTopic(catalogue, command.topic)?.id : command.kind === 'toggle' ? catalogue.find((t) => t.id === command.topic)?.id : undefined;
        // a tap may leave its topic: a candidate, kept only if the store says they no longer follow it
        const isStop = command.kind === 'stop' || command.kind === 'leave' || (command.kind === 'toggle' && topic !== undefined);
        if (book.hasSource(sourceOf(message.messageId))) {
          const earlier = book.find(message);
          if (isStop && earlier !== undefined) candidates.push({ subscriberId: earlier.id, ...(topic === undefined ? {} : { topic }), at: message.at });
          continue;
        }
        const outcome = command.kind === 'confirm' ? applyConfirmReply(book, message, event.signup, newId) : applyReply(book, command, message, newId, options);
        if (outcome.changed) changed++;
        if (command.kind === 'confirm' && event.signup !== undefined) confirmedSignups.push(event.signup.id);
        replies.push({ message, command, outcome });
        if (outcome.subscriberId !== undefined && isStop) candidates.push({ subscriberId: outcome.subscriberId, ...(topic === undefined ? {} : { topic }), at: message.at });
        break;
      }
      case 'preference':
        if (recordMarketingPreference(book, event.identity, event.value, { at: event.at, source: event.source })) changed++;
        break;
      case 'identity': {
        const outcome = applyIdentityChange(book, event.change);
        if (outcome.kind === 'moved' || outcome.kind === 'user-id-updated') changed++;
        else identities.push(outcome);
        break;
      }
      case 'user-id':
        if (learnUserId(book, event.subscriberId as SubscriberId, event.userId, event.at).kind === 'learnt') changed++;
        break;
      case 'unsubscribe': {
        const current = book.findById(event.subscriberId);
        if (current === undefined) break;
        const next = unsubscribe(current, event.topic as TopicId | undefined, { at: event.at, source: event.source });
        if (next !== current) {
          book.replace(next);
          changed++;
        }
        candidates.push({ subscriberId: current.id, ...(event.topic === undefined ? {} : { topic: event.topic }), at: event.at });
        break;
      }
      case 'signup-confirmed': {
        if (event.signup === undefined) break;
        if (confirmSignup(book, event.signup, event.at, { by: 'email' }, newId).kind !== 'already') changed++;
        confirmedSignups.push(event.signup.id);
        break;
      }
      case 'preferences': {
        const current = book.findById(event.subscriberId);
        if (current === undefined) break;
        const choice = chooseTopics(current, catalogue, event.topics, { at: event.at, source: event.source });
        if (choice.subscriber !== current) {
          book.replace(choice.subscriber);
          changed++;
        }
        for (const topic of choice.left === 'all' ? [undefined] : choice.left) candidates.push({ subscriberId: current.id, ...(topic === undefined ? {} : { topic }), at: event.at });
        break;
      }
      case 'unreachable': {
        const current = book.findById(event.subscriberId);
        if (current === undefined || current.whatsappUnreachable === true) break;
        book.replace({ ...current, whatsappUnreachable: true, updatedAt: event.at });
        changed++;
        break;
      }
      default: {
        const unreachable: never = event;
        return unreachable;
      }
    }
  }
  const optOuts = candidates.filter((c) => isOptedOut(book, c.subscriberId, c.topic));
  return { replies, optOuts, identities, changed, confirmedSignups };
}
