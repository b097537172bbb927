import { request } from 'undici';
import { signatureOf } from '../webhook/hub-signature.js';

/** JSON with every non-ASCII character escaped (`\u00e8`), the way Meta serialises what it signs (reference §4.2). */
export function metaJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}


export interface StatusUpdate {
  readonly wamid: string;
  readonly status: 'sent' | 'delivered' | 'read' | 'failed';
  /** The number's digits, '' when the message went to a user id only. */
  readonly recipient: string;
  /** The business-scoped user id, when the sandbox knows one (`recipient_user_id`, 2026). */
  readonly recipientUserId?: string;
  readonly at: Date;
  readonly callbackData?: string;
  readonly error?: { readonly code: number; readonly title: string; readonly details: string };
}

/** The `messages` webhook envelope carrying one status (reference §4.3). */
export function statusPayload(update: StatusUpdate, ids: { readonly wabaId: string; readonly phoneNumberId: string; readonly displayNumber: string }): unknown {
  const status: Record<string, unknown> = {
    id: update.wamid,
    status: update.status,
    timestamp: String(Math.floor(update.at.getTime() / 1000)),
    recipient_id: update.recipient,
  };
  if (update.recipientUserId !== undefined) status.recipient_user_id = update.recipientUserId;
  if (update.callbackData !== undefined) status.biz_opaque_callback_data = update.callbackData;
  if (update.status === 'sent') status.pricing = { billable: true, pricing_model: 'PMP', type: 'regular', category: 'utility' };
  if (update.error !== undefined) {
    status.errors = [{ code: update.error.code, title: update.error.title, message: update.error.title, error_data: { details: update.error.details } }];
  }
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: ids.wabaId,
        changes: [
          {
            field: 'messages',
            value: { messaging_product: 'whatsapp', metadata: { display_phone_number: ids.displayNumber, phone_number_id: ids.phoneNumberId }, statuses: [status] },
          },
        ],
      },
    ],
  };
}

/** A citizen's message as the sandbox makes it up: a text, or the tap on a quick-reply button. */
export interface InboundMessage {
  readonly wamid: string;
  /** The number's digits; '' for a citizen who uses a username and shows only their user id. */
  readonly from: string;
  /** Their business-scoped user id (`from_user_id`, `contacts[].user_id`, 2026). */
  readonly userId?: string;
  readonly at: Date;
  readonly name?: string;
  readonly text?: string;
  readonly button?: string;
}

/** The `messages` webhook envelope carrying one inbound message (reference §4.4), with the sender's profile. */
export function inboundPayload(message: InboundMessage, ids: { readonly wabaId: string; readonly phoneNumberId: string; readonly displayNumber: string }): unknown {
  const item: Record<string, unknown> = { from: message.from, id: message.wamid, timestamp: String(Math.floor(message.at.getTime() / 1000)) };
  if (message.userId !== undefined) item.from_user_id = message.userId;
  if (message.button !== undefined) Object.assign(item, { type: 'button', button: { payload: message.button, text: message.button }, context: { from: ids.displayNumber, id: 'wamid.sandbox-template' } });
  else Object.assign(item, { type: 'text', text: { body: message.text ?? '' } });
  const value = {
    messaging_product: 'whatsapp',
    metadata: { display_phone_number: ids.displayNumber, phone_number_id: ids.phoneNumberId },
    contacts: [{ profile: { name: message.name ?? 'Cittadino' }, wa_id: message.from, ...(message.userId === undefined ? {} : { user_id: message.userId }) }],
    messages: [item],
  };
  return { object: 'whatsapp_business_account', entry: [{ id: ids.wabaId, changes: [{ field: 'messages', value }] }] };
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
