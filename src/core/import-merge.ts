import type { ImportRow } from './import-row.js';
import { resubscribe, unsubscribe } from './subscribers.js';
import type { Consent, Subscriber, SubscriberId } from './subscriber.js';

export interface MergeOptions {
  readonly allowResubscribe: boolean;
  readonly now: string;
  /** `import:<file>#<hash>`: the consent source of new subscribers and the source of history events. */
  readonly source: string;
}

export type MergeOutcome =
  | { readonly kind: 'unchanged' }
  | { readonly kind: 'updated'; readonly next: Subscriber }
  | { readonly kind: 'blocked'; readonly reason: string };

function lastOptOut(s: Subscriber): string {
  const at = [...(s.history ?? [])].reverse().find((e) => e.action === 'unsubscribed')?.at;
  return at === undefined ? '' : ` on ${at.slice(0, 10)}`;
}

/**
 * What a row does to the subscriber it matches. It never erases: empty fields are filled, topics added, attributes
 * set, flags raised, opt-outs in the row applied. It never re-subscribes: a row for someone who unsubscribed, or
 * that lists a topic they left, is blocked — unless `allowResubscribe`, when the history records who did it.
 */
export function mergeIntoSubscriber(current: Subscriber, row: ImportRow, options: MergeOptions): MergeOutcome {
  const change = { at: options.now, source: options.source };
  const optedOut = current.optedOutTopics ?? [];
  const rejoined = row.topics.filter((t) => optedOut.includes(t) && !current.topics.includes(t) && !(row.optedOutTopics ?? []).includes(t));
  const resubscribing = current.status === 'unsubscribed' && row.status !== 'unsubscribed';
  if (!options.allowResubscribe && resubscribing) {
    return { kind: 'blocked', reason: `${current.id} unsubscribed from everything${lastOptOut(current)} — not re-subscribed (with the citizen's new consent: --allow-resubscribe)` };
  }
  if (!options.allowResubscribe && rejoined.length > 0) {
    return { kind: 'blocked', reason: `${current.id} left topic ${rejoined.join(', ')} on purpose — not re-subscribed (with the citizen's new consent: --allow-resubscribe)` };
  }
  let next = current;
  if (resubscribing) next = resubscribe(next, undefined, change);
  for (const topic of rejoined) next = resubscribe(next, topic, change);
  if (row.status === 'unsubscribed') next = unsubscribe(next, undefined, change);
  for (const topic of row.optedOutTopics ?? []) next = unsubscribe(next, topic, change);
  const left = next.optedOutTopics ?? [];
  const added = row.topics.filter((t) => !next.topics.includes(t) && !left.includes(t));
  const attributes = Object.entries(row.attributes).filter(([key, value]) => next.attributes[key] !== value);
  const fills = {
    ...(next.name === undefined && row.name !== undefined ? { name: row.name } : {}),
    ...(next.phone === undefined && row.phone !== undefined ? { phone: row.phone } : {}),
    ...(next.email === undefined && row.email !== undefined ? { email: row.email } : {}),
    ...(row.whatsappUnreachable === true && next.whatsappUnreachable !== true ? { whatsappUnreachable: true } : {}),
    ...(row.emailBounced === true && next.emailBounced !== true ? { emailBounced: true } : {}),
  };
  if (next === current && added.length === 0 && attributes.length === 0 && Object.keys(fills).length === 0) return { kind: 'unchanged' };
  return {
    kind: 'updated',
    next: {
      ...next,
      ...fills,
      topics: added.length === 0 ? next.topics : [...next.topics, ...added],
      attributes: attributes.length === 0 ? next.attributes : { ...next.attributes, ...Object.fromEntries(attributes) },
      updatedAt: options.now,
    },
  };
}

function consentOf(row: ImportRow, options: NewSubscriberOptions): Consent {
  if (row.consentSource === undefined && row.consentAt === undefined && row.consentNote === undefined && options.sharedConsent !== undefined) {
    return options.sharedConsent;
  }
  const source = row.consentSource ?? options.source;
  const at = row.consentAt ?? options.now;
  return row.consentNote === undefined ? { source, at } : { source, at, note: row.consentNote };
}

export interface NewSubscriberOptions extends Pick<MergeOptions, 'now' | 'source'> {
  /** `{ source, at: now }` built once and shared by every row without consent columns (a million objects fewer). */
  readonly sharedConsent?: Consent;
}

/** A new subscriber from a row: the file's consent, dates and status when it has them (an export), else the import's. */
export function newSubscriber(row: ImportRow, id: SubscriberId, options: NewSubscriberOptions): Subscriber {
  const createdAt = row.createdAt ?? options.now;
  // built by assignment rather than conditional spreads: this runs once per new subscriber, a million times in a big import
  const subscriber: { -readonly [K in keyof Subscriber]: Subscriber[K] } = {
    id,
    topics: row.topics,
    channel: row.channel,
    status: row.status ?? 'active',
    attributes: row.attributes,
    consent: consentOf(row, options),
    createdAt,
    updatedAt: row.updatedAt ?? createdAt,
  };
  if (row.name !== undefined) subscriber.name = row.name;
  if (row.phone !== undefined) subscriber.phone = row.phone;
  if (row.email !== undefined) subscriber.email = row.email;
  if (row.whatsappUnreachable === true) subscriber.whatsappUnreachable = true;
  if (row.emailBounced === true) subscriber.emailBounced = true;
  if (row.optedOutTopics !== undefined) subscriber.optedOutTopics = row.optedOutTopics;
  return subscriber;
}
