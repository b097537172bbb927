import type { Email } from './email.js';
import type { E164 } from './phone.js';
import type { TopicId } from './topic.js';

export type SubscriberId = string & { readonly __brand: 'SubscriberId' };
export type Channel = 'whatsapp' | 'email';
export type SubscriberStatus = 'active' | 'unsubscribed';

export const CHANNELS: readonly Channel[] = ['whatsapp', 'email'];
export const STATUSES: readonly SubscriberStatus[] = ['active', 'unsubscribed'];

/** Where and when the citizen agreed to receive messages: the proof the city keeps. */
export interface Consent {
  readonly source: string;
  readonly at: string;
  readonly note?: string;
  /** The version of the privacy notice the citizen was shown (`privacy.noticeVersion`), when they gave it themselves. */
  readonly notice?: string;
}

export const CONSENT_ACTIONS = [
  'unsubscribed', 'resubscribed', 'topic-left', 'topic-joined', 'marketing-stopped', 'marketing-resumed', 'number-changed', 'user-id-changed',
] as const;
export type ConsentAction = (typeof CONSENT_ACTIONS)[number];

/** A change of the citizen's choices after sign-up, kept as the consent history. */
export interface ConsentEvent {
  readonly at: string;
  readonly action: ConsentAction;
  readonly topic?: TopicId;
  /** For `number-changed` and `user-id-changed`: the number or WhatsApp user id the citizen had before. */
  readonly previous?: string;
  readonly source: string;
  readonly note?: string;
}

export interface Subscriber {
  readonly id: SubscriberId;
  readonly name?: string;
  readonly phone?: E164;
  /**
   * The business-scoped WhatsApp user id (BSUID, 2026), learnt from what Meta sends about the citizen; a citizen who
   * uses a username may be known by it alone.
   */
  readonly whatsappUserId?: string;
  readonly email?: Email;
  readonly topics: readonly TopicId[];
  readonly channel: Channel;
  readonly status: SubscriberStatus;
  readonly whatsappUnreachable?: boolean;
  readonly emailBounced?: boolean;
  readonly attributes: Readonly<Record<string, string>>;
  readonly consent: Consent;
  /** Topics the citizen left on purpose: an import or a form must not put them back silently. */
  readonly optedOutTopics?: readonly TopicId[];
  readonly history?: readonly ConsentEvent[];
  readonly createdAt: string;
  readonly updatedAt: string;
}

export function isChannel(text: string): text is Channel {
  return (CHANNELS as readonly string[]).includes(text);
}

export function isStatus(text: string): text is SubscriberStatus {
  return (STATUSES as readonly string[]).includes(text);
}

/** The subscribers by id, made in one pass (no pair per subscriber: a send's 300,000 would be 10 MB of garbage). */
export function byIdOf(subscribers: readonly Subscriber[]): Map<string, Subscriber> {
  const byId = new Map<string, Subscriber>();
  for (const s of subscribers) byId.set(s.id, s);
  return byId;
}
