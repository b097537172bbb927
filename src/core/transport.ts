import type { Email } from './email.js';
import type { Channel } from './subscriber.js';
import type { WhatsAppAddress } from './whatsapp-identity.js';

/** The transports canale has: the real one for each channel, and the outbox that writes files instead. */
export type TransportName = 'cloud-api' | 'smtp' | 'outbox';

/** Template parameters: positional (`{{1}}`, `{{2}}`) or named (`{{nome}}`), as the template was approved. */
export type TemplateParameters =
  | { readonly format: 'positional'; readonly values: readonly string[] }
  | { readonly format: 'named'; readonly values: Readonly<Record<string, string>> };

/** A template header as sent: its text's parameters, or the media file (a link or an uploaded media id). */
export type TemplateHeaderContent =
  | { readonly kind: 'text'; readonly parameters: TemplateParameters }
  | { readonly kind: 'image' | 'video' | 'document'; readonly media: { readonly link: string } | { readonly id: string }; readonly filename?: string };

/** A value for one template button: `index` is the button's place among all the template's buttons, from 0. */
export type TemplateButtonContent =
  | { readonly kind: 'url'; readonly index: number; readonly suffix: string }
  | { readonly kind: 'quick-reply'; readonly index: number; readonly payload: string };

export type WhatsAppContent =
  | {
      readonly kind: 'template';
      readonly name: string;
      readonly language: string;
      /** The body's parameters. */
      readonly parameters: TemplateParameters;
      readonly header?: TemplateHeaderContent;
      readonly buttons?: readonly TemplateButtonContent[];
    }
  | { readonly kind: 'text'; readonly body: string; readonly previewUrl?: boolean }
  | ListContent
  | ButtonsContent;

/** One row of an interactive list: `id` comes back in the citizen's `list_reply` when they tap it. */
export interface ListRow {
  readonly id: string;
  readonly title: string;
  readonly description?: string;
}

/**
 * An interactive list (free form, inside the 24-hour window only): a body, the button that opens it, rows in
 * sections. Meta's limits (core/interactive-limits.ts) are the transport's to keep: it cuts what is too long.
 */
export interface ListContent {
  readonly kind: 'list';
  readonly body: string;
  readonly button: string;
  readonly sections: readonly { readonly title?: string; readonly rows: readonly ListRow[] }[];
  readonly footer?: string;
}

/** Up to three reply buttons under a body (free form, inside the window): a tap comes back as `button_reply` with the id. */
export interface ButtonsContent {
  readonly kind: 'buttons';
  readonly body: string;
  readonly buttons: readonly { readonly id: string; readonly title: string }[];
  readonly footer?: string;
}

/** What canale answers a citizen with: free text, a list to tap, or reply buttons — never a template. */
export type ReplyContent = Extract<WhatsAppContent, { kind: 'text' | 'list' | 'buttons' }>;

/** Where a message belongs: the campaign and the recipient, so ids and callbacks can be traced back. */
export interface EnvelopeOrigin {
  /** The campaign id (`biz_opaque_callback_data` on WhatsApp, part of the Message-ID on e-mail); absent for a test send. */
  readonly campaignId?: string;
  /** The subscriber id, or another stable key of the recipient within the campaign. */
  readonly recipientKey: string;
  /** The recipient's position in the campaign's frozen list: with the campaign id in `biz_opaque_callback_data`, so a receipt names them. */
  readonly recipientIndex?: number;
}

export interface WhatsAppEnvelope extends EnvelopeOrigin {
  readonly channel: 'whatsapp';
  /** The citizen's number, or their business-scoped user id when canale knows no number for them. */
  readonly to: WhatsAppAddress;
  readonly content: WhatsAppContent;
}

export interface EmailEnvelope extends EnvelopeOrigin {
  readonly channel: 'email';
  readonly to: Email;
  readonly toName?: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  /** One-click unsubscribe (RFC 8058): becomes List-Unsubscribe and List-Unsubscribe-Post. */
  readonly unsubscribeUrl?: string;
  /** The list the message belongs to (RFC 2919 List-Id): its first topic's id, and "<city> – <topic label>". */
  readonly list?: { readonly id: string; readonly name: string };
}

/** One message to one recipient on one channel, fully rendered: a transport only delivers it. */
export type Envelope = WhatsAppEnvelope | EmailEnvelope;

/**
 * Why a send did not succeed, as the core must act on it:
 * - `recipient`: this recipient cannot get it (bad number, mailbox rejected) — record and move on;
 * - `deferred`: the provider refuses this recipient for now only (WhatsApp's pair rate limit, a greylisting mail
 *   server) — try them again later, the rest of the send goes on at full rate;
 * - `rate-limit`: the provider asks us to slow down — retry the same recipient later, never a failure;
 * - `transient`: a passing fault (5xx, timeout, reset, 4xx SMTP) — retry with backoff, unless the request may
 *   have arrived (`mayHaveArrived`);
 * - `fatal`: nothing will work until a person fixes something (token, permission, template paused, the message
 *   itself, the account's quality) — stop.
 */
export type FailureKind = 'recipient' | 'deferred' | 'rate-limit' | 'transient' | 'fatal';

export interface DeliveryFailure {
  readonly kind: FailureKind;
  /** Stable canale code, e.g. `WHATSAPP_THROUGHPUT`, `SMTP_MAILBOX_REJECTED`; reports and tests match on it. */
  readonly code: string;
  /** A sentence for people: what happened and, for `fatal`, what to fix. Never a secret. */
  readonly reason: string;
  /** The provider's own words (Graph's message, the SMTP reply), secrets removed: per recipient, for support. */
  readonly detail?: string;
  /** The provider's own code (Graph `error.code`, SMTP reply code), for support. */
  readonly providerCode?: string;
  /** How long to wait before trying again; for `deferred`, before the first new try of that recipient. */
  readonly retryAfterMs?: number;
  /**
   * The request was written and no answer came (a timeout, a connection reset after the body left): the provider
   * may have accepted it. Such a recipient is never sent again automatically — no idempotency key protects a
   * resend (DESIGN §7.2); receipts settle them.
   */
  readonly mayHaveArrived?: boolean;
  /** The provider's code is one canale has no rule for: the same one for recipient after recipient is an account problem. */
  readonly unclassified?: boolean;
}

/**
 * Whether a failure a provider reports after accepting a message (a `failed` receipt) is about the account or the
 * message for everyone — payment, a policy block, a locked account, a paused template (`fatal`), or the spam
 * restriction — rather than about one citizen: it stops the campaign's send instead of failing one citizen after
 * another (DESIGN §7.4).
 */
export function isAccountTrouble(failure: Pick<DeliveryFailure, 'kind' | 'code'>): boolean {
  return failure.kind === 'fatal' || failure.code === 'WHATSAPP_SPAM_RATE_LIMIT';
}

/** The reason, then the provider's own words when there are any: for one failure shown to the person who caused it. */
export function describeFailure(failure: Pick<DeliveryFailure, 'reason' | 'detail'>): string {
  return failure.detail === undefined ? failure.reason : `${failure.reason} (${failure.detail})`;
}

export type SendResult =
  | { readonly ok: true; readonly providerMessageId: string; readonly waId?: string; /** WhatsApp's business-scoped user id of the recipient (`contacts[].user_id`, 2026). */ readonly userId?: string }
  | { readonly ok: false; readonly failure: DeliveryFailure };

export interface VerifyResult {
  readonly ok: boolean;
  /** What was checked and what came out, e.g. `Graph API reachable, phone number 1234 "Comune di Esempio"`. */
  readonly detail: string;
}

/**
 * Delivers envelopes of one channel. Promises: `send` never throws for anything a server or the network can do
 * (error bodies, HTML, garbage, resets, timeouts) — those are `ok: false` values; it honours `signal` by giving up
 * the wait at once with a `transient` failure (a request already on the wire may still reach the provider, so the
 * core should treat such a recipient as unknown). Rendering, rate limiting, retries and journaling are the core's
 * work, not the transport's.
 */
export interface Transport {
  readonly name: TransportName;
  readonly channel: Channel;
  send(envelope: Envelope, signal: AbortSignal): Promise<SendResult>;
  /** Checks credentials and reachability without sending anything. */
  verify?(signal: AbortSignal): Promise<VerifyResult>;
  /** Closes pooled connections. */
  close?(): Promise<void>;
}
