import type { Subscriber, SubscriberId } from '../subscriber.js';
import type { SubscriberTransaction } from '../ports/subscriber-store.js';
import { resubscribe, unsubscribe } from '../subscribers.js';
import type { Topic } from '../topic.js';
import type { ButtonsContent } from '../transport.js';
import type { CitizenMessage } from './citizen-reply.js';
import { toggleAnswer } from './topic-menu.js';

/** A tap on a topic's row: who tapped (undefined: nobody the store knows), what, and the change's source. */
export interface TopicTap {
  readonly subscriber: Subscriber | undefined;
  readonly topic: Topic;
  readonly message: CitizenMessage;
  readonly change: { readonly at: string; readonly source: string };
  readonly newId: () => SubscriberId;
  /** The privacy notice's version the stranger's list named: kept in their consent. */
  readonly notice?: string;
}

/**
 * What a tap on a topic does: a subscriber who follows it leaves it (remembered as left), anyone else joins it —
 * a subscriber who had stopped everything is active again with it, by their own tap. A stranger becomes a
 * subscriber of that topic, the tap (`whatsapp:<message id>`) as consent, with the notice version; they are added to
 * the book here, a known subscriber's change is for the caller to save. Returns the record and the answer.
 */
export function toggleTopic(book: SubscriberTransaction, tap: TopicTap): { readonly subscriber: Subscriber; readonly answer: ButtonsContent } {
  const { subscriber, topic, message, change } = tap;
  const catalogue = book.topics();
  if (subscriber === undefined) {
    const added = book.add(
      { ...(message.phone === undefined ? {} : { phone: message.phone }), topics: [topic.id], channel: 'whatsapp', attributes: {} },
      {
        id: tap.newId(),
        now: message.at,
        consent: { source: change.source, at: message.at, note: `tapped ${topic.id} in the WhatsApp topic list`, ...(tap.notice === undefined ? {} : { notice: tap.notice }) },
      },
    );
    const known = message.userId === undefined ? added : { ...added, whatsappUserId: message.userId };
    if (known !== added) book.replace(known);
    return { subscriber: known, answer: toggleAnswer(catalogue, known.topics, `Fatto: sei iscritto e riceverai i messaggi su "${topic.label}".`) };
  }
  const follows = subscriber.status === 'active' && subscriber.topics.includes(topic.id);
  const next = follows ? unsubscribe(subscriber, topic.id, change) : resubscribe(subscriber, topic.id, change);
  const done = follows ? `Fatto: non riceverai più i messaggi su "${topic.label}".` : `Fatto: riceverai i messaggi su "${topic.label}".`;
  return { subscriber: next, answer: toggleAnswer(catalogue, next.status === 'active' ? next.topics : [], done) };
}
