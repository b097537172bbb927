import { createHmac } from 'node:crypto';
import { request } from 'undici';

/** JSON with every non-ASCII character escaped (`\u00e8`), the way Meta serialises what it signs (reference §4.2). */
export function metaJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** `sha256=<hex HMAC-SHA256 of the raw body with the app secret>`: the X-Hub-Signature-256 header. */
export function signatureOf(body: string, appSecret: string): string {
  return `sha256=${createHmac('sha256', appSecret).update(body, 'utf8').digest('hex')}`;
}

export interface StatusUpdate {
  readonly wamid: string;
  readonly status: 'sent' | 'delivered' | 'read' | 'failed';
  readonly recipient: string;
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
