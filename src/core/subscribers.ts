import { emailKey } from './email.js';
import { CanaleError } from './errors.js';
import type { StoreData } from './store-data.js';
import type { Consent, ConsentEvent, Subscriber, SubscriberId } from './subscriber.js';
import type { SubscriberInput } from './subscriber-input.js';
import type { TopicId } from './topic.js';

/** The subscriber that already has this phone or e-mail (other than `exceptId`), if any. */
export function findConflict(
  subscribers: readonly Subscriber[],
  contact: { readonly phone?: string; readonly email?: string },
  exceptId?: SubscriberId,
): Subscriber | undefined {
  const email = contact.email === undefined ? undefined : emailKey(contact.email);
  return subscribers.find(
    (s) =>
      s.id !== exceptId &&
      ((contact.phone !== undefined && s.phone === contact.phone) ||
        (email !== undefined && s.email !== undefined && emailKey(s.email) === email)),
  );
}

function refuseDuplicate(subscribers: readonly Subscriber[], input: Partial<SubscriberInput>, exceptId?: SubscriberId): void {
  const other = findConflict(subscribers, input, exceptId);
  if (other === undefined) return;
  const field = input.phone !== undefined && other.phone === input.phone ? `phone ${input.phone}` : `e-mail ${input.email ?? ''}`;
  throw new CanaleError(
    'SUBSCRIBER_EXISTS',
    `subscriber ${other.id} already has ${field} — see it with: canale subscribers show ${other.id}`,
  );
}

/** Adds a new, active subscriber with the consent given; refuses one whose phone or e-mail is already known. */
export function addSubscriber(
  data: StoreData,
  input: SubscriberInput,
  meta: { readonly id: SubscriberId; readonly now: string; readonly consent: Consent },
): Subscriber {
  refuseDuplicate(data.subscribers, input);
  const subscriber: Subscriber = {
    id: meta.id,
    ...(input.name === undefined ? {} : { name: input.name }),
    ...(input.phone === undefined ? {} : { phone: input.phone }),
    ...(input.email === undefined ? {} : { email: input.email }),
    topics: [...input.topics],
    channel: input.channel,
    status: 'active',
    attributes: { ...input.attributes },
    consent: meta.consent,
    createdAt: meta.now,
    updatedAt: meta.now,
  };
  data.subscribers.push(subscriber);
  return subscriber;
}

/** Replaces a subscriber by id, checking that a changed phone or e-mail stays unique. */
export function replaceSubscriber(data: StoreData, next: Subscriber): Subscriber {
  const index = data.subscribers.findIndex((s) => s.id === next.id);
  if (index < 0) throw new CanaleError('SUBSCRIBER_NOT_FOUND', `no subscriber has id ${next.id}`);
  refuseDuplicate(data.subscribers, next, next.id);
  data.subscribers[index] = next;
  return next;
}

/** Removes a subscriber by id and returns the removed record. */
export function removeSubscriber(data: StoreData, id: SubscriberId): Subscriber {
  const index = data.subscribers.findIndex((s) => s.id === id);
  const [removed] = index < 0 ? [] : data.subscribers.splice(index, 1);
  if (removed === undefined) throw new CanaleError('SUBSCRIBER_NOT_FOUND', `no subscriber has id ${id}`);
  return removed;
}

function withEvent(subscriber: Subscriber, event: ConsentEvent): Subscriber {
  return { ...subscriber, history: [...(subscriber.history ?? []), event], updatedAt: event.at };
}

type Change = { readonly at: string; readonly source: string; readonly note?: string };

/**
 * The citizen's opt-out. With a topic they leave that topic only, and it is remembered so nothing puts it back
 * silently; without one they stop receiving anything.
 */
export function unsubscribe(subscriber: Subscriber, topic: TopicId | undefined, change: Change): Subscriber {
  const note = change.note === undefined ? {} : { note: change.note };
  if (topic === undefined) {
    if (subscriber.status === 'unsubscribed') return subscriber;
    return withEvent({ ...subscriber, status: 'unsubscribed' }, { at: change.at, action: 'unsubscribed', source: change.source, ...note });
  }
  const optedOut = subscriber.optedOutTopics ?? [];
  if (!subscriber.topics.includes(topic) && optedOut.includes(topic)) return subscriber;
  return withEvent(
    {
      ...subscriber,
      topics: subscriber.topics.filter((t) => t !== topic),
      optedOutTopics: optedOut.includes(topic) ? optedOut : [...optedOut, topic],
    },
    { at: change.at, action: 'topic-left', topic, source: change.source, ...note },
  );
}

/** Undoes an opt-out (all of it, or one topic), overriding the citizen's earlier choice: callers confirm first. */
export function resubscribe(subscriber: Subscriber, topic: TopicId | undefined, change: Change): Subscriber {
  const note = change.note === undefined ? {} : { note: change.note };
  if (topic === undefined) {
    if (subscriber.status === 'active') return subscriber;
    return withEvent({ ...subscriber, status: 'active' }, { at: change.at, action: 'resubscribed', source: change.source, ...note });
  }
  const optedOut = (subscriber.optedOutTopics ?? []).filter((t) => t !== topic);
  const rest = subscriber.status === 'active' ? {} : { status: 'active' as const };
  if (subscriber.topics.includes(topic) && rest.status === undefined) return subscriber;
  const { optedOutTopics: _dropped, ...base } = subscriber;
  return withEvent(
    {
      ...base,
      ...rest,
      topics: subscriber.topics.includes(topic) ? subscriber.topics : [...subscriber.topics, topic],
      ...(optedOut.length > 0 ? { optedOutTopics: optedOut } : {}),
    },
    { at: change.at, action: 'topic-joined', topic, source: change.source, ...note },
  );
}
