import { failureFromGraph } from '../../adapters/transports/cloud-api/graph-errors.js';
import { needsAnswer, readWebhook, type StatusEvent } from '../../adapters/transports/cloud-api/webhook-payload.js';
import type { OptOut } from '../../core/ports.js';
import type { StoreEvent } from '../../core/replies/reply-batch.js';
import { commandOf } from '../../core/replies/reply-command.js';
import { findStopTopic } from '../../core/replies/stop-topic.js';
import type { Topic } from '../../core/topic.js';
import type { WhatsAppIdentity } from '../../core/whatsapp-identity.js';
import { isAccountTrouble, type DeliveryFailure } from '../../core/transport.js';

/** A line of the event log, read: its receipts, what it changes in the store, and account trouble it reports. */
export interface ReadLine {
  readonly statuses: StatusEvent[];
  readonly events: StoreEvent[];
  /** `value.errors`: trouble with the account or the app, not with one message. */
  readonly trouble: DeliveryFailure[];
}

const NOTHING: ReadLine = { statuses: [], events: [], trouble: [] };

export function readLine(text: string): ReadLine {
  let line: { at?: unknown; payload?: unknown; unsubscribe?: { sub?: unknown; topic?: unknown; source?: unknown }; confirmation?: { signup?: unknown } };
  try {
    line = JSON.parse(text) as typeof line;
  } catch {
    return NOTHING; // a line torn by a crash was never answered 200
  }
  const at = typeof line.at === 'string' ? line.at : '1970-01-01T00:00:00.000Z';
  const u = line.unsubscribe;
  if (u !== undefined) {
    if (typeof u.sub !== 'string') return NOTHING;
    const source = u.source === 'email:link' ? 'email:link' : 'email:one-click';
    return { ...NOTHING, events: [{ kind: 'unsubscribe', subscriberId: u.sub, ...(typeof u.topic === 'string' ? { topic: u.topic } : {}), at, source }] };
  }
  const c = line.confirmation;
  if (c !== undefined) return typeof c.signup === 'string' ? { ...NOTHING, events: [{ kind: 'signup-confirmed', signupId: c.signup, at }] } : NOTHING;
  // a preference page's choice (the catalogue topics the citizen wants): only the strings, checked again when applied
  const p = (line as { preferences?: { sub?: unknown; topics?: unknown } }).preferences;
  if (p !== undefined) {
    if (typeof p.sub !== 'string' || !Array.isArray(p.topics)) return NOTHING;
    const topics = p.topics.filter((t): t is string => typeof t === 'string');
    return { ...NOTHING, events: [{ kind: 'preferences', subscriberId: p.sub, topics, at, source: 'email:preferences' }] };
  }
  return readPayload(line.payload, at);
}

/** A signed WhatsApp payload, read: its receipts, what it changes in the store, and account trouble it reports. */
export function readPayload(payload: unknown, at: string): ReadLine {
  const read = readWebhook(payload, at);
  const events: StoreEvent[] = [];
  // reactions and unsupported messages ask nothing: no change, no help text
  for (const m of read.inbound.filter(needsAnswer)) {
    events.push({ kind: 'reply', message: { ...m.identity, messageId: m.messageId, at: m.at }, command: commandOf(m.words) });
  }
  for (const p of read.preferences) {
    events.push({ kind: 'preference', identity: p.identity, value: p.value, at: p.at, source: `whatsapp:user_preferences@${p.at}` });
  }
  for (const change of read.identityChanges) events.push({ kind: 'identity', change });
  const trouble = read.errors.map((e) => failureFromGraph({ code: e.code, ...(e.title === undefined ? {} : { message: e.title }) }, (t) => t)).filter(isAccountTrouble);
  return { statuses: read.statuses, events, trouble };
}

/**
 * What a running send must stop at once, before the batch reaches a large store: each STOP by the number (or user
 * id) it came from, and the topic it names, and each `user_preferences` stop (marketing only) — unless the same
 * citizen joins (or resumes marketing) again later in the batch: the store, written next, keeps them subscribed.
 */
export function earlyOptOuts(events: readonly StoreEvent[], topics: readonly Topic[]): OptOut[] {
  const optOuts: OptOut[] = [];
  const joinedLater = new Set<string>();
  const resumedLater = new Set<string>();
  const keysOf = (who: WhatsAppIdentity) => [who.phone, who.userId].filter((k): k is NonNullable<typeof k> => k !== undefined);
  const whoOf = (who: WhatsAppIdentity) => ({ ...(who.phone === undefined ? {} : { phone: who.phone }), ...(who.userId === undefined ? {} : { userId: who.userId }) });
  for (const e of [...events].reverse()) {
    if (e.kind === 'preference') {
      const keys = keysOf(e.identity);
      if (e.value === 'resume') keys.forEach((k) => resumedLater.add(k));
      else if (!keys.some((k) => resumedLater.has(k))) optOuts.push({ ...whoOf(e.identity), isMarketingOnly: true, at: e.at });
      continue;
    }
    if (e.kind !== 'reply') continue;
    const keys = keysOf(e.message);
    if (e.command.kind === 'join') keys.forEach((k) => joinedLater.add(k));
    if ((e.command.kind !== 'stop' && e.command.kind !== 'leave') || keys.some((k) => joinedLater.has(k))) continue;
    const topic = e.command.kind === 'leave' ? findStopTopic(topics, e.command.topic)?.id : undefined;
    optOuts.push({ ...whoOf(e.message), ...(topic === undefined ? {} : { topic }), at: e.message.at });
  }
  return optOuts.reverse();
}
