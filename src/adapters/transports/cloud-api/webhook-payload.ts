import type { E164 } from '../../../core/phone.js';
import type { IdentityChange } from '../../../core/replies/identity-change.js';
import { identityOf, isEmptyIdentity, type WhatsAppIdentity } from '../../../core/whatsapp-identity.js';
import { failureFromGraph } from './graph-errors.js';

import type { StatusEvent } from '../../../core/whatsapp-status.js';

export type { StatusEvent } from '../../../core/whatsapp-status.js';

/**
 * What kind of message a citizen sent. `reaction` (an emoji on one of ours) and `unsupported` (a type Meta cannot
 * show, with error 131051) carry no words and want no answer; see `needsAnswer`.
 */
export type InboundKind = 'text' | 'button' | 'interactive' | 'media' | 'reaction' | 'unsupported' | 'other';

/** A citizen's message: a text, a quick-reply button or an interactive reply, reduced to the words to read. */
export interface InboundEvent {
  readonly messageId: string;
  /** The sender's number, digits only, as WhatsApp gives it (`from`); `''` for a username citizen known by user id only. */
  readonly from: string;
  /** Who wrote: their number (`+…`) and/or business-scoped user id (`from_user_id`, or `contacts[].user_id`). */
  readonly identity: WhatsAppIdentity;
  readonly kind: InboundKind;
  readonly at: string;
  /** What to read as a command, in order of trust: a button's payload, then its title, then a text or a caption. */
  readonly words: readonly string[];
}

/** WhatsApp's "stop/resume offers and announcements" switch (`user_preferences`). */
export interface PreferenceEvent {
  /** Digits of `wa_id`; `''` when Meta gave only a user id. */
  readonly from: string;
  readonly identity: WhatsAppIdentity;
  readonly value: 'stop' | 'resume';
  readonly at: string;
}

/** A problem Meta reports about the account or the app (`value.errors`), not about one message. */
export interface WebhookError {
  readonly code: number;
  readonly title?: string;
  readonly details?: string;
}

export interface WebhookEvents {
  readonly statuses: StatusEvent[];
  readonly inbound: InboundEvent[];
  readonly preferences: PreferenceEvent[];
  /** `system` messages `user_changed_number` and `user_changed_user_id`: never answered, applied to the store. */
  readonly identityChanges: IdentityChange[];
  readonly errors: WebhookError[];
}

/**
 * Whether a citizen's message may get an answer (the command's confirmation, or the help text): not a reaction nor
 * an unsupported message — nobody asked anything. (`system` messages never reach `inbound`.)
 */
export function needsAnswer(event: Pick<InboundEvent, 'kind'>): boolean {
  return event.kind !== 'reaction' && event.kind !== 'unsupported';
}

type Json = Record<string, unknown>;
const asArray = (value: unknown): Json[] => (Array.isArray(value) ? (value.filter((v) => typeof v === 'object' && v !== null) as Json[]) : []);
const asObject = (value: unknown): Json => (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : {});
const asText = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : typeof value === 'number' ? String(value) : undefined);

function timeOf(value: unknown, fallback: string): string {
  const seconds = Number(value);
  return Number.isFinite(seconds) && seconds > 0 ? new Date(seconds * 1000).toISOString() : fallback;
}

const STATUSES = new Set(['sent', 'delivered', 'read', 'failed']);
const MEDIA = new Set(['image', 'video', 'document', 'audio', 'sticker']);
const KINDS: ReadonlySet<string> = new Set(['text', 'button', 'interactive', 'reaction', 'unsupported']);

function statusOf(raw: Json, now: string): StatusEvent | undefined {
  const wamid = asText(raw.id);
  const status = asText(raw.status);
  if (wamid === undefined || status === undefined || !STATUSES.has(status)) return undefined;
  const callback = /^([^/]+)(?:\/(\d{1,9}))?$/.exec(asText(raw.biz_opaque_callback_data) ?? '');
  const campaignId = callback?.[1];
  const recipientIndex = callback?.[2] === undefined ? undefined : Number(callback[2]);
  const recipientUserId = identityOf(undefined, asText(raw.recipient_user_id)).userId;
  const error = asArray(raw.errors)[0];
  const failure =
    status === 'failed'
      ? failureFromGraph(
          {
            code: Number(error?.code ?? 131000),
            ...(asText(error?.title) === undefined ? {} : { message: asText(error?.title) as string }),
            ...(asText(asObject(error?.error_data).details) === undefined ? {} : { details: asText(asObject(error?.error_data).details) as string }),
          },
          (t) => t,
        )
      : undefined;
  return {
    wamid,
    status: status as StatusEvent['status'],
    at: timeOf(raw.timestamp, now),
    ...(campaignId === undefined ? {} : { campaignId }),
    ...(recipientIndex === undefined ? {} : { recipientIndex }),
    ...(failure === undefined ? {} : { failure }),
    ...(recipientUserId === undefined ? {} : { recipientUserId }),
  };
}

/** `contacts[]` of a change: the user id Meta gives for a `wa_id` (or for the only contact, when `wa_id` is empty). */
function contactUserIds(value: Json): (from: string) => string | undefined {
  const contacts = asArray(value.contacts);
  return (from) => {
    const only = contacts.length === 1 && (from === '' || asText(contacts[0]?.wa_id) === undefined) ? contacts[0] : undefined;
    const match = contacts.find((c) => from !== '' && asText(c.wa_id) === from) ?? only;
    return asText(match?.user_id);
  };
}

function kindOf(type: string | undefined): InboundKind {
  if (type !== undefined && KINDS.has(type)) return type as InboundKind;
  if (type === 'unknown') return 'unsupported';
  return type !== undefined && MEDIA.has(type) ? 'media' : 'other';
}

function inboundOf(raw: Json, now: string, userIdFor: (from: string) => string | undefined): InboundEvent | undefined {
  const messageId = asText(raw.id);
  const from = asText(raw.from) ?? '';
  const identity = identityOf(from, asText(raw.from_user_id) ?? userIdFor(from));
  if (messageId === undefined || isEmptyIdentity(identity)) return undefined;
  const type = asText(raw.type);
  const button = asObject(raw.button);
  const interactive = asObject(raw.interactive);
  const reply = asObject(interactive.button_reply ?? interactive.list_reply);
  const caption = type !== undefined && MEDIA.has(type) ? asText(asObject(raw[type]).caption) : undefined;
  const words = [asText(button.payload), asText(button.text), asText(reply.id), asText(reply.title), asText(asObject(raw.text).body), caption].filter(
    (w): w is string => w !== undefined,
  );
  return { messageId, from, identity, kind: kindOf(type), at: timeOf(raw.timestamp, now), words };
}

/**
 * A `system` message (reference §4.4; Meta's system messages webhook): `user_changed_number` has the old number in
 * `from` and the new one in `system.wa_id`; `user_changed_user_id` the new user id in `system.user_id`. Both may
 * carry `previous_user_id` and, for a number change, the renewed `user_id`.
 */
function identityChangeOf(raw: Json, now: string): IdentityChange | undefined {
  const messageId = asText(raw.id);
  const system = asObject(raw.system);
  if (messageId === undefined) return undefined;
  const at = timeOf(raw.timestamp, now);
  const before = identityOf(asText(raw.from), asText(system.previous_user_id) ?? asText(raw.from_user_id));
  const next = identityOf(asText(system.wa_id), asText(system.user_id));
  switch (asText(system.type)) {
    case 'user_changed_number':
      if (next.phone === undefined || isEmptyIdentity(before)) return undefined;
      return { kind: 'number-changed', messageId, at, before, phone: next.phone as E164, ...(next.userId === undefined ? {} : { userId: next.userId }) };
    case 'user_changed_user_id':
      if (next.userId === undefined || isEmptyIdentity(before)) return undefined;
      return { kind: 'user-id-changed', messageId, at, before, userId: next.userId };
    default:
      return undefined;
  }
}

function preferenceOf(raw: Json, now: string): PreferenceEvent | undefined {
  const from = asText(raw.wa_id) ?? '';
  const identity = identityOf(from, asText(raw.user_id));
  const choice = asText(raw.value);
  if (isEmptyIdentity(identity) || (choice !== 'stop' && choice !== 'resume')) return undefined;
  return { from, identity, value: choice, at: timeOf(raw.timestamp, now) };
}

function errorOf(raw: Json): WebhookError | undefined {
  const code = Number(raw.code);
  if (!Number.isInteger(code)) return undefined;
  const title = asText(raw.title) ?? asText(raw.message);
  const details = asText(asObject(raw.error_data).details);
  return { code, ...(title === undefined ? {} : { title }), ...(details === undefined ? {} : { details }) };
}

/**
 * Reads a `whatsapp_business_account` webhook (reference §4.3–4.6): every entry, change and item of a batch;
 * items it cannot read are left out, never an error (Meta adds fields and types over time). A message needs an
 * id and someone to act for: a number, or a business-scoped user id when `from` is empty.
 */
export function readWebhook(payload: unknown, now: string): WebhookEvents {
  const events: WebhookEvents = { statuses: [], inbound: [], preferences: [], identityChanges: [], errors: [] };
  const push = <T>(list: T[], item: T | undefined): void => {
    if (item !== undefined) list.push(item);
  };
  for (const entry of asArray(asObject(payload).entry)) {
    for (const change of asArray(entry.changes)) {
      const value = asObject(change.value);
      for (const raw of asArray(value.statuses)) push(events.statuses, statusOf(raw, now));
      const userIdFor = contactUserIds(value);
      for (const raw of asArray(value.messages)) {
        if (raw.type === 'system') push(events.identityChanges, identityChangeOf(raw, now));
        else push(events.inbound, inboundOf(raw, now, userIdFor));
      }
      for (const raw of asArray(value.user_preferences)) push(events.preferences, preferenceOf(raw, now));
      for (const raw of asArray(value.errors)) push(events.errors, errorOf(raw));
    }
  }
  return events;
}
