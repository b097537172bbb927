import { CanaleError } from './errors.js';
import type { SubscriberTransaction } from './ports/subscriber-store.js';
import type { StoreData } from './store-data.js';
import type { Subscriber } from './subscriber.js';
import { SubscriberBook } from './subscriber-book.js';
import { slugify, type Topic, type TopicId } from './topic.js';

function topicOf(tx: SubscriberTransaction, id: TopicId): Topic {
  const topic = tx.topics().find((t) => t.id === id);
  if (topic === undefined) {
    throw new CanaleError('TOPIC_UNKNOWN', `there is no topic "${id}" — see the topics with: canale topics list`);
  }
  return topic;
}

/** Adds a topic; its id and its label must both be new (a label is also how citizens and CSV files name it). */
export function addTopic(store: StoreData | SubscriberTransaction, topic: Topic): Topic {
  const tx = SubscriberBook.of(store);
  if (tx.topics().some((t) => t.id === topic.id)) {
    throw new CanaleError('TOPIC_EXISTS', `topic "${topic.id}" already exists — rename it with: canale topics rename ${topic.id} --label L`);
  }
  const sameLabel = tx.topics().find((t) => slugify(t.label) === slugify(topic.label) || t.id === slugify(topic.label));
  if (sameLabel !== undefined) {
    throw new CanaleError('TOPIC_EXISTS', `topic "${sameLabel.id}" already has the label "${sameLabel.label}" — choose another label`);
  }
  tx.putTopic(topic);
  return topic;
}

/** Changes a topic's label (and description when given); the id, which subscribers refer to, stays. */
export function renameTopic(store: StoreData | SubscriberTransaction, id: TopicId, label: string, description?: string): Topic {
  const tx = SubscriberBook.of(store);
  const current = topicOf(tx, id);
  const clash = tx.topics().find((t) => t.id !== id && slugify(t.label) === slugify(label));
  if (clash !== undefined) {
    throw new CanaleError('TOPIC_EXISTS', `topic "${clash.id}" already has the label "${clash.label}" — choose another label`);
  }
  const next: Topic = { ...current, label, ...(description === undefined ? {} : { description }) };
  tx.putTopic(next);
  return next;
}

/**
 * Removes a topic. When subscribers follow it, the removal is refused unless `force`, which also takes it off
 * them (and off their opt-out lists). Returns how many subscribers were changed.
 */
export function removeTopic(store: StoreData | SubscriberTransaction, id: TopicId, options: { readonly force: boolean; readonly now: string }): number {
  const tx = SubscriberBook.of(store);
  topicOf(tx, id);
  const touched: Subscriber[] = [];
  let followers = 0;
  tx.scan((s) => {
    if (s.topics.includes(id)) followers++;
    if (s.topics.includes(id) || (s.optedOutTopics ?? []).includes(id)) touched.push(s);
  });
  if (followers > 0 && !options.force) {
    throw new CanaleError(
      'TOPIC_IN_USE',
      `${followers} subscriber${followers === 1 ? ' follows' : 's follow'} topic "${id}" — to remove it from them too, run: canale topics remove ${id} --force`,
    );
  }
  tx.removeTopic(id);
  for (const s of touched) {
    const { optedOutTopics: _dropped, ...base } = s;
    const rest = (s.optedOutTopics ?? []).filter((t) => t !== id);
    tx.replace({ ...base, topics: s.topics.filter((t) => t !== id), ...(rest.length > 0 ? { optedOutTopics: rest } : {}), updatedAt: options.now });
  }
  return touched.length;
}
