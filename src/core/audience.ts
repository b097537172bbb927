import type { Channel, Subscriber, SubscriberId } from './subscriber.js';
import { matchSubscriber } from './subscriber-filter.js';
import type { TopicId } from './topic.js';
import { whatsappAddressOf } from './whatsapp-identity.js';

/** Which channel(s) each recipient gets: their preferred one, both, or one for everybody. */
export type ChannelChoice = 'preferred' | 'all' | Channel;

/** Why a subscriber who matched the topics gets nothing on a channel. */
export type SkipReason = 'opted-out' | 'opted-out-of-topic' | 'opted-out-during-send' | 'marketing-stopped' | 'no-address' | 'unreachable' | 'channel-not-in-message';

export const SKIP_REASONS: Readonly<Record<SkipReason, string>> = {
  'opted-out': 'opted out of everything',
  'opted-out-of-topic': 'left the topic',
  'opted-out-during-send': 'opted out during the send',
  'marketing-stopped': 'stopped marketing messages on WhatsApp',
  'no-address': 'no address for the channel',
  unreachable: 'channel flagged unreachable',
  'channel-not-in-message': 'preferred channel not in the message',
};

export interface AudienceQuery {
  readonly topics: readonly TopicId[];
  readonly where: ReadonlyArray<{ readonly key: string; readonly value: string }>;
  readonly channel: ChannelChoice;
  /** The channels the message has a version for. */
  readonly messageChannels: readonly Channel[];
  /** Its WhatsApp version is a MARKETING template: citizens who stopped marketing in WhatsApp are not sent it. */
  readonly isWhatsAppMarketing?: boolean;
}

/**
 * Whether the citizen's latest choice in WhatsApp's own "stop offers and announcements" (`user_preferences`) is to
 * stop: Meta refuses them marketing templates (131050), utility ones still reach them.
 */
export function hasStoppedMarketing(subscriber: Pick<Subscriber, 'history'>): boolean {
  const last = (subscriber.history ?? []).filter((e) => e.action === 'marketing-stopped' || e.action === 'marketing-resumed').at(-1);
  return last?.action === 'marketing-stopped';
}

export interface Delivery {
  readonly subscriberId: SubscriberId;
  readonly channel: Channel;
}

export interface Skip {
  readonly subscriberId: SubscriberId;
  readonly channel?: Channel;
  readonly reason: SkipReason;
}

export interface Audience {
  readonly deliveries: readonly Delivery[];
  readonly skipped: readonly Skip[];
}

/** Whether canale can address them on the channel: on WhatsApp a number or, for a citizen using a username, a user id. */
export function hasAddress(s: Subscriber, channel: Channel): boolean {
  return ADDRESSED[channel](s);
}

/** Whether the channel has flagged them: WhatsApp undeliverable too many times in a row, an e-mail bounced. */
export function isUnreachable(s: Subscriber, channel: Channel): boolean {
  return FLAGGED[channel](s);
}

const ADDRESSED: Readonly<Record<Channel, (s: Subscriber) => boolean>> = {
  whatsapp: (s) => whatsappAddressOf(s) !== undefined,
  email: (s) => s.email !== undefined,
};
const FLAGGED: Readonly<Record<Channel, (s: Subscriber) => boolean>> = {
  whatsapp: (s) => s.whatsappUnreachable === true,
  email: (s) => s.emailBounced === true,
};

function channelsFor(s: Subscriber, query: AudienceQuery): Channel[] {
  switch (query.channel) {
    case 'preferred':
      return [s.channel];
    case 'all': {
      // nobody drops out unseen: with no address on any of the message's channels, they are skipped as not reached
      const channels = query.messageChannels.filter((c) => hasAddress(s, c) || c === s.channel);
      return channels.length > 0 ? channels : [s.channel];
    }
    case 'whatsapp':
    case 'email':
      return [query.channel];
    default: {
      const unreachable: never = query.channel;
      return unreachable;
    }
  }
}

/**
 * Who gets the message on which channel (DESIGN §7): subscribers following any of the topics and matching every
 * `where`, one delivery per subscriber per channel however many topics match; everyone else who matched the
 * topics is skipped with a reason — opted out, left the topic, no address, unreachable — and never sent.
 */
export function planAudience(subscribers: readonly Subscriber[], query: AudienceQuery): Audience {
  const deliveries: Delivery[] = [];
  const skipped: Skip[] = [];
  const matchesWhere = matchSubscriber({ where: query.where });
  for (const s of subscribers) {
    const follows = query.topics.some((t) => s.topics.includes(t));
    const left = !follows && query.topics.some((t) => (s.optedOutTopics ?? []).includes(t));
    if ((!follows && !left) || !matchesWhere(s)) continue;
    if (s.status === 'unsubscribed') {
      skipped.push({ subscriberId: s.id, reason: 'opted-out' });
      continue;
    }
    if (left) {
      skipped.push({ subscriberId: s.id, reason: 'opted-out-of-topic' });
      continue;
    }
    for (const channel of channelsFor(s, query)) {
      const reason: SkipReason | undefined = !query.messageChannels.includes(channel)
        ? 'channel-not-in-message'
        : !hasAddress(s, channel)
          ? 'no-address'
          : isUnreachable(s, channel)
            ? 'unreachable'
            : channel === 'whatsapp' && query.isWhatsAppMarketing === true && hasStoppedMarketing(s)
              ? 'marketing-stopped'
              : undefined;
      if (reason === undefined) deliveries.push({ subscriberId: s.id, channel });
      else skipped.push({ subscriberId: s.id, channel, reason });
    }
  }
  return { deliveries, skipped };
}

/** `{ whatsapp: 120, email: 30 }`: deliveries per channel. */
export function countByChannel(deliveries: readonly Delivery[]): Record<Channel, number> {
  const counts: Record<Channel, number> = { whatsapp: 0, email: 0 };
  for (const d of deliveries) counts[d.channel]++;
  return counts;
}

/** `[{ reason, count }]` in the order of SKIP_REASONS, without zeros. */
export function countSkips(skipped: readonly Skip[]): Array<{ reason: SkipReason; count: number }> {
  const counts = new Map<SkipReason, number>();
  for (const s of skipped) counts.set(s.reason, (counts.get(s.reason) ?? 0) + 1);
  return (Object.keys(SKIP_REASONS) as SkipReason[]).filter((r) => counts.has(r)).map((reason) => ({ reason, count: counts.get(reason) ?? 0 }));
}
