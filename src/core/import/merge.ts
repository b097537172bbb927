import type { ImportRow } from './row.js';
import { resubscribe, unsubscribe } from '../subscribers.js';
import type { Consent, Subscriber, SubscriberId } from '../subscriber.js';
import type { TopicId } from '../topic.js';

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

const NO_TOPICS: readonly TopicId[] = [];
const UNCHANGED: MergeOutcome = { kind: 'unchanged' };

/** The row's topics the subscriber does not follow and has not left, in the row's order. */
function addedTopics(row: ImportRow, next: Subscriber): readonly TopicId[] {
  const left = next.optedOutTopics ?? NO_TOPICS;
  const isAdded = (t: TopicId): boolean => !next.topics.includes(t) && !left.includes(t);
  return row.topics.some(isAdded) ? row.topics.filter(isAdded) : NO_TOPICS;
}

function changesAttributes(row: ImportRow, next: Subscriber): boolean {
  for (const key in row.attributes) if (next.attributes[key] !== row.attributes[key]) return true;
  return false;
}

/**
 * What a row does to the subscriber it matches. It never erases: empty fields are filled, topics added, attributes
 * set, flags raised, opt-outs in the row applied. It never re-subscribes: a row for someone who unsubscribed, or
 * that lists a topic they left, is blocked — unless `allowResubscribe`, when the history records who did it.
 * A re-import mostly changes nothing, so that case is found without building anything.
 */
export function mergeIntoSubscriber(current: Subscriber, row: ImportRow, options: MergeOptions): MergeOutcome {
  const optedOut = current.optedOutTopics ?? NO_TOPICS;
  const rowOptedOut = row.optedOutTopics ?? NO_TOPICS;
  const rejoined =
    optedOut.length === 0 ? NO_TOPICS : row.topics.filter((t) => optedOut.includes(t) && !current.topics.includes(t) && !rowOptedOut.includes(t));
  const resubscribing = current.status === 'unsubscribed' && row.status !== 'unsubscribed';
  if (!options.allowResubscribe && resubscribing) {
    return { kind: 'blocked', reason: `${current.id} unsubscribed from everything${lastOptOut(current)} — not re-subscribed (with the citizen's new consent: --allow-resubscribe)` };
  }
  if (!options.allowResubscribe && rejoined.length > 0) {
    return { kind: 'blocked', reason: `${current.id} left topic ${rejoined.join(', ')} on purpose — not re-subscribed (with the citizen's new consent: --allow-resubscribe)` };
  }
  let next = current;
  if (resubscribing || rejoined.length > 0 || row.status === 'unsubscribed' || rowOptedOut.length > 0) {
    const change = { at: options.now, source: options.source };
    if (resubscribing) next = resubscribe(next, undefined, change);
    for (const topic of rejoined) next = resubscribe(next, topic, change);
    if (row.status === 'unsubscribed') next = unsubscribe(next, undefined, change);
    for (const topic of rowOptedOut) next = unsubscribe(next, topic, change);
  }
  const added = addedTopics(row, next);
  const attributesChange = changesAttributes(row, next);
  const fillName = next.name === undefined && row.name !== undefined;
  const fillPhone = next.phone === undefined && row.phone !== undefined;
  const fillEmail = next.email === undefined && row.email !== undefined;
  // a user id is filled like a missing contact, never replaced: Meta's own word (a webhook) is the one that changes it
  const fillUserId = next.whatsappUserId === undefined && row.whatsappUserId !== undefined;
  const raiseUnreachable = row.whatsappUnreachable === true && next.whatsappUnreachable !== true;
  const raiseBounced = row.emailBounced === true && next.emailBounced !== true;
  if (next === current && added.length === 0 && !attributesChange && !fillName && !fillPhone && !fillEmail && !fillUserId && !raiseUnreachable && !raiseBounced) {
    return UNCHANGED;
  }
  const updated: { -readonly [K in keyof Subscriber]: Subscriber[K] } = {
    ...next,
    topics: added.length === 0 ? next.topics : [...next.topics, ...added],
    attributes: attributesChange ? { ...next.attributes, ...row.attributes } : next.attributes,
    updatedAt: options.now,
  };
  if (fillName) updated.name = row.name;
  if (fillPhone) updated.phone = row.phone;
  if (fillEmail) updated.email = row.email;
  if (fillUserId) updated.whatsappUserId = row.whatsappUserId;
  if (raiseUnreachable) updated.whatsappUnreachable = true;
  if (raiseBounced) updated.emailBounced = true;
  return { kind: 'updated', next: updated };
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
  if (row.whatsappUserId !== undefined) subscriber.whatsappUserId = row.whatsappUserId;
  if (row.whatsappUnreachable === true) subscriber.whatsappUnreachable = true;
  if (row.emailBounced === true) subscriber.emailBounced = true;
  if (row.optedOutTopics !== undefined) subscriber.optedOutTopics = row.optedOutTopics;
  return subscriber;
}
