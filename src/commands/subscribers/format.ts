import type { Subscriber } from '../../core/subscriber.js';
import { tableTime } from '../../ui/local-time.js';

/** The stable JSON form of a subscriber (DESIGN §10): absent contacts are null, never missing. */
export function subscriberJson(s: Subscriber): Record<string, unknown> {
  return {
    id: s.id,
    name: s.name ?? null,
    phone: s.phone ?? null,
    whatsappUserId: s.whatsappUserId ?? null,
    email: s.email ?? null,
    topics: s.topics,
    channel: s.channel,
    status: s.status,
    attributes: s.attributes,
    consent: s.consent,
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
    optedOutTopics: s.optedOutTopics ?? [],
    whatsappUnreachable: s.whatsappUnreachable === true,
    emailBounced: s.emailBounced === true,
    history: s.history ?? [],
  };
}

/** The columns of `subscribers list` and one row of them; CONSENT is the consent date in `zone` (last, so `cut -f` keeps working). */
export const LIST_HEADER = ['ID', 'NAME', 'PHONE', 'EMAIL', 'CHANNEL', 'TOPICS', 'STATUS', 'CONSENT'] as const;

export function listRow(s: Subscriber, zone: string): string[] {
  return [s.id, s.name ?? '', s.phone ?? '', s.email ?? '', s.channel, s.topics.join(','), s.status, tableTime(s.consent.at, zone, { dateOnly: 'at-midnight' })];
}
