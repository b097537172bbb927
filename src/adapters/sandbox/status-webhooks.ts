import { request } from 'undici';
import { signatureOf } from '../http/hub-signature.js';
import { webhookErrorFor } from './meta-errors.js';

/** JSON with every non-ASCII character escaped (`\u00e8`), the way Meta serialises what it signs (reference §4.2). */
export function metaJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The business's ids a webhook names: the account (`entry[].id`) and the number (`metadata`). */
export interface WebhookIds {
  readonly wabaId: string;
  readonly phoneNumberId: string;
  readonly displayNumber: string;
}

/** The `whatsapp_business_account` envelope of one change: `value` gets `messaging_product` and `metadata` first. */
export function envelope(field: 'messages' | 'user_preferences', value: Record<string, unknown>, ids: WebhookIds): unknown {
  const full = { messaging_product: 'whatsapp', metadata: { display_phone_number: ids.displayNumber, phone_number_id: ids.phoneNumberId }, ...value };
  return { object: 'whatsapp_business_account', entry: [{ id: ids.wabaId, changes: [{ value: full, field }] }] };
}

export const unixSeconds = (at: Date): string => String(Math.floor(at.getTime() / 1000));

export interface StatusUpdate {
  readonly wamid: string;
  readonly status: 'sent' | 'delivered' | 'read' | 'failed';
  /** The number's digits, '' when the message went to a user id only. */
  readonly recipient: string;
  /** The business-scoped user id, when the sandbox knows one (`recipient_user_id`, 2026). */
  readonly recipientUserId?: string;
  readonly at: Date;
  /** `biz_opaque_callback_data` exactly as the request had it. */
  readonly callbackData?: string;
  /** Why a `failed` status failed: a code worded as Meta words it (meta-errors.ts), or with `details` of its own. */
  readonly error?: { readonly code: number; readonly details?: string };
}

/** The `messages` webhook carrying one status (reference §4.3), a `failed` one with Meta's `errors[]` (§2.2). */
export function statusPayload(update: StatusUpdate, ids: WebhookIds): unknown {
  const status: Record<string, unknown> = {
    id: update.wamid,
    status: update.status,
    timestamp: unixSeconds(update.at),
    recipient_id: update.recipient,
  };
  if (update.recipientUserId !== undefined) status.recipient_user_id = update.recipientUserId;
  if (update.callbackData !== undefined) status.biz_opaque_callback_data = update.callbackData;
  if (update.status === 'sent') status.pricing = { billable: true, pricing_model: 'PMP', type: 'regular', category: 'utility' };
  if (update.error !== undefined) status.errors = [webhookErrorFor(update.error.code, update.error.details === undefined ? {} : { details: update.error.details })];
  return envelope('messages', { statuses: [status] }, ids);
}

/** A problem with the account or the app, not with one message: Meta's `value.errors` (errors webhook reference). */
export function accountErrorPayload(error: { readonly code: number; readonly details?: string }, ids: WebhookIds): unknown {
  return envelope('messages', { errors: [webhookErrorFor(error.code, error.details === undefined ? {} : { details: error.details })] }, ids);
}

/** A reply to an interactive message: a reply button (`button_reply`) or a list row (`list_reply`). */
export interface InteractiveReply {
  readonly type: 'button_reply' | 'list_reply';
  readonly id: string;
  readonly title: string;
  readonly description?: string;
}

/** A citizen's message as the sandbox makes it up: a text, the tap on a quick-reply button, or an interactive reply. */
export interface InboundMessage {
  readonly wamid: string;
  /** The number's digits; '' for a citizen who uses a username and shows only their user id. */
  readonly from: string;
  /** Their business-scoped user id (`from_user_id`, `contacts[].user_id`, 2026). */
  readonly userId?: string;
  /** Their WhatsApp username (`contacts[].profile.username`, 2026). */
  readonly username?: string;
  readonly at: Date;
  readonly name?: string;
  readonly text?: string;
  readonly button?: string;
  readonly reply?: InteractiveReply;
  /** The wamid of the business's message this one answers (`context.id`). */
  readonly context?: string;
}

/**
 * The `messages` webhook carrying one inbound message (reference §4.4), with the sender's profile. A citizen known
 * by user id only has no `from` and no `wa_id` at all: Meta leaves the phone fields out when it may not show the
 * number (business-scoped-user-ids page, 2026: "contacts": [{ "profile": …, "user_id": … }]).
 */
export function inboundPayload(message: InboundMessage, ids: WebhookIds): unknown {
  const item: Record<string, unknown> = {};
  const context = message.context ?? (message.button !== undefined || message.reply !== undefined ? 'wamid.sandbox-template' : undefined);
  if (context !== undefined) item.context = { from: ids.displayNumber, id: context };
  if (message.from !== '') item.from = message.from;
  if (message.userId !== undefined) item.from_user_id = message.userId;
  Object.assign(item, { id: message.wamid, timestamp: unixSeconds(message.at) });
  if (message.reply !== undefined) {
    const { type, ...reply } = message.reply;
    Object.assign(item, { type: 'interactive', interactive: { type, [type]: reply } });
  } else if (message.button !== undefined) Object.assign(item, { type: 'button', button: { payload: message.button, text: message.button } });
  else Object.assign(item, { type: 'text', text: { body: message.text ?? '' } });
  const profile = { name: message.name ?? 'Cittadino', ...(message.username === undefined ? {} : { username: message.username }) };
  const contact = { profile, ...(message.from === '' ? {} : { wa_id: message.from }), ...(message.userId === undefined ? {} : { user_id: message.userId }) };
  return envelope('messages', { contacts: [contact], messages: [item] }, ids);
}

/** POSTs a payload signed with the app secret; resolves to the HTTP status or the network error's text. */
export async function postWebhook(url: string, payload: unknown, appSecret: string): Promise<string> {
  const body = metaJson(payload);
  try {
    const response = await request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': signatureOf(body, appSecret) },
      body,
      headersTimeout: 10_000,
      bodyTimeout: 10_000,
    });
    await response.body.dump();
    return `HTTP ${response.statusCode}`;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
