import type { GraphErrorAnswer } from './graph-checks.js';

/** How Meta words an error: its title (the `message` after `(#code)`), its `details` and the HTTP status it comes with. */
export interface MetaErrorText {
  readonly http: number;
  readonly title: string;
  readonly details: string;
}

/**
 * The errors the sandbox plays on demand, worded as Meta words them (its error-code table, and for 131050 and
 * 131049 the `failed` statuses Meta posts; reference §2.1–2.3). Meta recommends acting on `code` and `details`.
 */
export const META_ERRORS: ReadonlyMap<number, MetaErrorText> = new Map([
  [130429, { http: 400, title: 'Rate limit hit', details: 'Cloud API message throughput has been reached.' }],
  [131000, { http: 500, title: 'Something went wrong', details: 'Message failed to send due to an unknown error.' }],
  [131009, { http: 400, title: 'Parameter value is not valid', details: 'One or more parameter values are invalid.' }],
  [131026, { http: 400, title: 'Message undeliverable', details: 'Message Undeliverable.' }],
  [131042, { http: 400, title: 'Business eligibility payment issue', details: 'Message failed to send because there were one or more errors related to your payment method.' }],
  [
    131048,
    {
      http: 400,
      title: 'Spam rate limit hit',
      details: 'Message failed to send because there are restrictions on how many messages can be sent from this phone number. This may be because too many previous messages were blocked or flagged as spam.',
    },
  ],
  [
    131049,
    {
      http: 400,
      title: 'This message was not delivered to maintain healthy ecosystem engagement.',
      details: 'In order to maintain a healthy ecosystem engagement, the message failed to be delivered.',
    },
  ],
  [
    131050,
    {
      http: 400,
      title: 'Unable to deliver the message. This recipient has chosen to stop receiving marketing messages on WhatsApp from your business',
      details: 'Unable to deliver the message. This recipient has chosen to stop receiving marketing messages on WhatsApp from your business',
    },
  ],
  [
    131056,
    {
      http: 400,
      title: '(Business Account, Consumer Account) pair rate limit hit',
      details: 'Message failed to send because there were too many messages sent from this phone number to the same phone number in a short period of time.',
    },
  ],
  [131057, { http: 500, title: 'Account in maintenance mode', details: 'Business Account is in maintenance mode. One reason for this could be that the account is undergoing a throughput upgrade.' }],
]);

/** Where Meta's `errors[].href` points (its status and `value.errors` webhooks). */
export const ERROR_CODES_HREF = 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/';

/** What the sandbox may be told about an error beyond its code: its own `details`, another HTTP status. */
export interface ErrorWording {
  readonly details?: string;
  readonly http?: number;
}

/** Meta's words for `code`; a code not in the table gets Graph's generic shape, so any integer can be played. */
export function metaErrorText(code: number, wording: ErrorWording = {}): MetaErrorText {
  const known = META_ERRORS.get(code) ?? { http: 400, title: 'An unknown error occurred', details: `Error ${code}, played by the sandbox.` };
  return { http: wording.http ?? known.http, title: known.title, details: wording.details ?? known.details };
}

/** The synchronous answer: `(#code) title` in `message`, as Graph writes it. */
export function graphAnswerFor(code: number, wording: ErrorWording = {}): GraphErrorAnswer {
  const text = metaErrorText(code, wording);
  return { http: text.http, code, message: `(#${code}) ${text.title}`, details: text.details };
}

/** The object in a `failed` status's `errors[]` and in `value.errors[]`: title and message alike, no `(#code)`. */
export function webhookErrorFor(code: number, wording: ErrorWording = {}): Record<string, unknown> {
  const text = metaErrorText(code, wording);
  return { code, title: text.title, message: text.title, error_data: { details: text.details }, href: ERROR_CODES_HREF };
}
