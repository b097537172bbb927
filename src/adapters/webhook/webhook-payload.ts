import type { DeliveryFailure } from '../../core/transport.js';
import { failureFromGraph } from '../transports/cloud-api/graph-errors.js';

/** A delivery receipt, in canale's words: Graph field names stop here (STYLE rule 7). */
export interface StatusEvent {
  readonly wamid: string;
  readonly status: 'sent' | 'delivered' | 'read' | 'failed';
  readonly at: string;
  /** `biz_opaque_callback_data`: canale puts the campaign id there. */
  readonly campaignId?: string;
  readonly failure?: DeliveryFailure;
}

/** A citizen's message: a text, a quick-reply button or an interactive reply, reduced to the words to read. */
export interface InboundEvent {
  readonly messageId: string;
  /** The sender's number, digits only, as WhatsApp gives it (`wa_id`). */
  readonly from: string;
  readonly at: string;
  /** What to read as a command, in order of trust: a button's payload, then its title, then a text. */
  readonly words: readonly string[];
}

/** WhatsApp's "stop/resume offers and announcements" switch (`user_preferences`). */
export interface PreferenceEvent {
  readonly from: string;
  readonly value: 'stop' | 'resume';
  readonly at: string;
}

export interface WebhookEvents {
  readonly statuses: StatusEvent[];
  readonly inbound: InboundEvent[];
  readonly preferences: PreferenceEvent[];
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

function statusOf(raw: Json, now: string): StatusEvent | undefined {
  const wamid = asText(raw.id);
  const status = asText(raw.status);
  if (wamid === undefined || status === undefined || !STATUSES.has(status)) return undefined;
  const campaignId = asText(raw.biz_opaque_callback_data);
  const error = asArray(raw.errors)[0];
  const failure =
    status === 'failed'
      ? failureFromGraph({ code: Number(error?.code ?? 131000), ...(asText(error?.title) === undefined ? {} : { message: asText(error?.title) as string }) }, (t) => t)
      : undefined;
  return { wamid, status: status as StatusEvent['status'], at: timeOf(raw.timestamp, now), ...(campaignId === undefined ? {} : { campaignId }), ...(failure === undefined ? {} : { failure }) };
}

function inboundOf(raw: Json, now: string): InboundEvent | undefined {
  const messageId = asText(raw.id);
  const from = asText(raw.from);
  if (messageId === undefined || from === undefined) return undefined;
  const button = asObject(raw.button);
  const interactive = asObject(raw.interactive);
  const reply = asObject(interactive.button_reply ?? interactive.list_reply);
  const words = [asText(button.payload), asText(button.text), asText(reply.id), asText(reply.title), asText(asObject(raw.text).body)].filter((w): w is string => w !== undefined);
  return { messageId, from, at: timeOf(raw.timestamp, now), words };
}

/**
 * Reads a `whatsapp_business_account` webhook (reference §4.3–4.5): every entry, change and item of a batch;
 * items it cannot read are left out, never an error (Meta adds fields and types over time).
 */
export function readWebhook(payload: unknown, now: string): WebhookEvents {
  const events: WebhookEvents = { statuses: [], inbound: [], preferences: [] };
  for (const entry of asArray(asObject(payload).entry)) {
    for (const change of asArray(entry.changes)) {
      const value = asObject(change.value);
      for (const raw of asArray(value.statuses)) {
        const status = statusOf(raw, now);
        if (status !== undefined) events.statuses.push(status);
      }
      for (const raw of asArray(value.messages)) {
        const inbound = inboundOf(raw, now);
        if (inbound !== undefined) events.inbound.push(inbound);
      }
      for (const raw of asArray(value.user_preferences)) {
        const from = asText(raw.wa_id);
        const choice = asText(raw.value);
        if (from !== undefined && (choice === 'stop' || choice === 'resume')) events.preferences.push({ from, value: choice, at: timeOf(raw.timestamp, now) });
      }
    }
  }
  return events;
}
