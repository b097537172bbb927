import type { Subscriber } from './subscriber.js';
import { resubscribe, unsubscribe } from './subscribers.js';
import type { Topic, TopicId } from './topic.js';

/** A citizen's choice on their preference page, applied: the subscriber now, and what running sends must stop. */
export interface TopicChoice {
  readonly subscriber: Subscriber;
  /** The catalogue topics the citizen does not want (each one, for the opt-out feed), or `all`: they left everything. */
  readonly left: readonly TopicId[] | 'all';
}

/**
 * Makes the catalogue topics a subscriber follows exactly those chosen (ids the catalogue does not have are
 * ignored; topics it no longer has stay as they are: the page did not show them). Each topic left is a `topic-left`
 * (remembered in `optedOutTopics`), each joined a `topic-joined`, with the change's source; an unsubscribed citizen
 * who ticks topics is subscribed again (`resubscribed`: their own choice, from their own link) to those only. No
 * topic chosen is leaving everything, as the page's button does (`unsubscribed`, `email:link`). Applied again, it
 * changes nothing; `left` is the same (the topics it left are remembered).
 */
export function chooseTopics(subscriber: Subscriber, catalogue: readonly Topic[], topics: readonly string[], change: { readonly at: string; readonly source: string }): TopicChoice {
  const known = new Set<string>(catalogue.map((t) => t.id));
  const chosen = new Set(topics.filter((t) => known.has(t)));
  if (chosen.size === 0) return { subscriber: unsubscribe(subscriber, undefined, { at: change.at, source: 'email:link' }), left: 'all' };
  const unwanted = catalogue.map((t) => t.id).filter((t) => !chosen.has(t));
  let next = subscriber;
  for (const topic of unwanted) if (next.topics.includes(topic)) next = unsubscribe(next, topic, change);
  if (next.status === 'unsubscribed') next = resubscribe(next, undefined, change);
  for (const topic of chosen) next = resubscribe(next, topic as TopicId, change);
  const remembered = new Set(next.optedOutTopics ?? []);
  return { subscriber: next, left: unwanted.filter((t) => remembered.has(t) && !next.topics.includes(t)) };
}
