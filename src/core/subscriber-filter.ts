import type { Subscriber, SubscriberStatus } from './subscriber.js';
import type { TopicId } from './topic.js';

/** What `subscribers list|count` select on; every given criterion must hold (AND). */
export interface SubscriberFilter {
  readonly topics?: readonly TopicId[];
  /** Follows any of them or has left any of them (`optedOutTopics`): a send's audience and those it skips. */
  readonly touching?: readonly TopicId[];
  readonly status?: SubscriberStatus;
  readonly where?: ReadonlyArray<{ readonly key: string; readonly value: string }>;
  readonly search?: string;
}

/** Lower case without accents, for comparisons people expect to be forgiving: `Municipio Í` = `municipio i`. */
export function fold(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().trim();
}

/**
 * Builds a predicate from a filter. `topics`: follows any of them. `touching`: follows or left any of them. `where`: the attribute equals the value,
 * ignoring case and accents. `search`: a piece of the name, e-mail or WhatsApp user id, or of the phone's digits.
 */
export function matchSubscriber(filter: SubscriberFilter): (s: Subscriber) => boolean {
  const where = (filter.where ?? []).map(({ key, value }) => ({ key, value: fold(value) }));
  const search = filter.search === undefined ? undefined : fold(filter.search);
  const searchDigits = filter.search?.replace(/\D/g, '') ?? '';
  return (s) => {
    if (filter.status !== undefined && s.status !== filter.status) return false;
    if (filter.topics !== undefined && filter.topics.length > 0 && !filter.topics.some((t) => s.topics.includes(t))) {
      return false;
    }
    if (filter.touching !== undefined && !filter.touching.some((t) => s.topics.includes(t) || s.optedOutTopics?.includes(t) === true)) return false;
    for (const { key, value } of where) {
      const actual = s.attributes[key];
      if (actual === undefined || fold(actual) !== value) return false;
    }
    if (search !== undefined && search !== '') {
      const inText = fold(s.name ?? '').includes(search) || (s.email ?? '').toLowerCase().includes(search) || (s.whatsappUserId ?? '').toLowerCase().includes(search);
      const inPhone = searchDigits.length >= 3 && (s.phone ?? '').includes(searchDigits);
      if (!inText && !inPhone) return false;
    }
    return true;
  };
}
