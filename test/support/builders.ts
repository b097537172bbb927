import type { Email } from '../../src/core/email.js';
import type { E164 } from '../../src/core/phone.js';
import { emptyStore, type StoreData } from '../../src/core/store-data.js';
import type { Subscriber, SubscriberId } from '../../src/core/subscriber.js';
import type { TopicId } from '../../src/core/topic.js';

let next = 0;

/** A valid subscriber with sensible defaults; override what the test is about. */
export function aSubscriber(overrides: Partial<Omit<Subscriber, 'topics' | 'optedOutTopics'>> & { topics?: string[]; optedOutTopics?: string[] } = {}): Subscriber {
  next++;
  const { topics, optedOutTopics, ...rest } = overrides;
  return {
    id: `sub_t${String(next).padStart(4, '0')}` as SubscriberId,
    name: `Cittadino ${next}`,
    phone: `+39333${String(1000000 + next)}` as E164,
    email: `cittadino${next}@example.it` as Email,
    topics: (topics ?? ['cantieri']) as TopicId[],
    channel: 'whatsapp',
    status: 'active',
    attributes: {},
    consent: { source: 'test', at: '2026-01-01T00:00:00.000Z' },
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    ...(optedOutTopics === undefined ? {} : { optedOutTopics: optedOutTopics as TopicId[] }),
    ...rest,
  };
}

/** A store with the default topics and the given subscribers. */
export function aStore(subscribers: Subscriber[] = []): StoreData {
  return { ...emptyStore(), subscribers };
}
