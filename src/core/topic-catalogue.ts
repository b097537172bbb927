import { CanaleError } from './errors.js';
import type { StoreData } from './store-data.js';
import type { Subscriber } from './subscriber.js';
import { slugify, type Topic, type TopicId } from './topic.js';

function topicIndex(data: StoreData, id: TopicId): number {
  const index = data.topics.findIndex((t) => t.id === id);
  if (index < 0) {
    throw new CanaleError('TOPIC_UNKNOWN', `there is no topic "${id}" — see the topics with: canale topics list`);
  }
  return index;
}

/** Adds a topic; its id and its label must both be new (a label is also how citizens and CSV files name it). */
export function addTopic(data: StoreData, topic: Topic): Topic {
  if (data.topics.some((t) => t.id === topic.id)) {
    throw new CanaleError('TOPIC_EXISTS', `topic "${topic.id}" already exists — rename it with: canale topics rename ${topic.id} --label L`);
  }
  const sameLabel = data.topics.find((t) => slugify(t.label) === slugify(topic.label) || t.id === slugify(topic.label));
  if (sameLabel !== undefined) {
    throw new CanaleError('TOPIC_EXISTS', `topic "${sameLabel.id}" already has the label "${sameLabel.label}" — choose another label`);
  }
  data.topics.push(topic);
  return topic;
}

/** Changes a topic's label (and description when given); the id, which subscribers refer to, stays. */
export function renameTopic(data: StoreData, id: TopicId, label: string, description?: string): Topic {
  const index = topicIndex(data, id);
  const clash = data.topics.find((t) => t.id !== id && slugify(t.label) === slugify(label));
  if (clash !== undefined) {
    throw new CanaleError('TOPIC_EXISTS', `topic "${clash.id}" already has the label "${clash.label}" — choose another label`);
  }
  const current = data.topics[index] as Topic;
  const next: Topic = { ...current, label, ...(description === undefined ? {} : { description }) };
  data.topics[index] = next;
  return next;
}

/** Who follows a topic or left it on purpose: the records a removal would touch. */
export function subscribersOfTopic(data: StoreData, id: TopicId): Subscriber[] {
  return data.subscribers.filter((s) => s.topics.includes(id) || (s.optedOutTopics ?? []).includes(id));
}

/**
 * Removes a topic. When subscribers follow it, the removal is refused unless `force`, which also takes it off
 * them (and off their opt-out lists). Returns how many subscribers were changed.
 */
export function removeTopic(data: StoreData, id: TopicId, options: { readonly force: boolean; readonly now: string }): number {
  const index = topicIndex(data, id);
  const followers = data.subscribers.filter((s) => s.topics.includes(id)).length;
  if (followers > 0 && !options.force) {
    throw new CanaleError(
      'TOPIC_IN_USE',
      `${followers} subscriber${followers === 1 ? ' follows' : 's follow'} topic "${id}" — to remove it from them too, run: canale topics remove ${id} --force`,
    );
  }
  data.topics.splice(index, 1);
  let changed = 0;
  data.subscribers.forEach((s, i) => {
    const optedOut = s.optedOutTopics ?? [];
    if (!s.topics.includes(id) && !optedOut.includes(id)) return;
    const { optedOutTopics: _dropped, ...base } = s;
    const rest = optedOut.filter((t) => t !== id);
    data.subscribers[i] = {
      ...base,
      topics: s.topics.filter((t) => t !== id),
      ...(rest.length > 0 ? { optedOutTopics: rest } : {}),
      updatedAt: options.now,
    };
    changed++;
  });
  return changed;
}
