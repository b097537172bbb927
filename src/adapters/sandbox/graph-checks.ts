import { BSUID_FORM } from '../../core/whatsapp-identity.js';
import { checkInteractive } from './graph-interactive-checks.js';
import { checkTemplate } from './graph-template-checks.js';
import type { GraphTemplateRecord } from './sandbox-templates.js';

/** A Graph error answer: HTTP status and the `error` object (reference §2.1). */
export interface GraphErrorAnswer {
  readonly http: number;
  readonly code: number;
  readonly message: string;
  readonly details: string;
}

export interface AcceptedMessage {
  /** The number's digits, or '' for a message addressed by user id only. */
  readonly to: string;
  /** The business-scoped user id it was addressed to (`recipient`, or `to` when that is a user id). */
  readonly userId?: string;
  readonly type: 'template' | 'text' | 'interactive';
  readonly template?: string;
  readonly text?: string;
  /** For an interactive message: `list` or `button` (reply buttons). */
  readonly interactive?: 'list' | 'button';
}

export interface MessageRules {
  readonly templates: readonly GraphTemplateRecord[];
  /** Whether a number (digits) or user id wrote in the last 24 hours: free form is allowed to them. */
  readonly openWindow: { has(key: string): boolean };
}

const fail = (http: number, code: number, title: string, details: string): GraphErrorAnswer => ({ http, code, message: `(#${code}) ${title}`, details });

/**
 * Who a message is for: `to` — a number or, as Meta now takes it, a business-scoped user id (fact sheet §1.2, §4.6)
 * — or `recipient` (a BSUID, the field Meta's 2026 user-id page adds for it), `to` winning when both are given, as
 * Meta documents for `recipient`. A `to` that is neither a number nor a user id is refused, as is a bad `recipient`.
 */
function checkRecipient(message: Record<string, unknown>): GraphErrorAnswer | { readonly to: string; readonly userId?: string } {
  const { to, recipient } = message;
  if (recipient !== undefined && (typeof recipient !== 'string' || !BSUID_FORM.test(recipient))) {
    return fail(400, 131009, 'Parameter value is not valid', `"recipient" (${String(recipient)}) is not a valid business-scoped user id`);
  }
  if (to === undefined) {
    return recipient === undefined ? fail(400, 131008, 'Required parameter is missing', 'one of "to" or "recipient" is required') : { to: '', userId: recipient };
  }
  if (typeof to === 'string' && BSUID_FORM.test(to)) return { to: '', userId: to };
  const digits = typeof to === 'string' ? to.replace(/^\+/, '') : '';
  if (!/^[1-9]\d{6,14}$/.test(digits)) {
    return fail(400, 131009, 'Parameter value is not valid', `"to" (${String(to)}) is not a valid phone number or business-scoped user id`);
  }
  return { to: digits, ...(typeof recipient === 'string' ? { userId: recipient } : {}) };
}

/** Validates a `POST /messages` body like the real endpoint (issue 4 §6); returns the error or what was accepted. */
export function checkMessage(body: unknown, rules: MessageRules): GraphErrorAnswer | AcceptedMessage {
  if (typeof body !== 'object' || body === null) return fail(400, 100, 'Invalid parameter', 'the request body is not a JSON object');
  const message = body as Record<string, unknown>;
  if (message.messaging_product !== 'whatsapp') return fail(400, 100, 'Invalid parameter', 'messaging_product must be "whatsapp"');
  const who = checkRecipient(message);
  if ('code' in who) return who;
  if (message.type === 'template') {
    const checked = checkTemplate((message.template ?? {}) as Record<string, unknown>, rules.templates);
    return typeof checked === 'string' ? { ...who, type: 'template', template: checked } : checked;
  }
  // free form, text or interactive, only inside the 24-hour window the citizen's last message opened
  const isOutsideWindow = !rules.openWindow.has(who.to === '' ? (who.userId ?? '') : who.to);
  const reEngagement = fail(400, 131047, 'Re-engagement message', 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.');
  if (message.type === 'text') {
    const text = (message.text as { body?: unknown } | undefined)?.body;
    if (typeof text !== 'string' || text === '') return fail(400, 131008, 'Required parameter is missing', 'text.body is required');
    if (text.length > 4096) return fail(400, 100, 'Invalid parameter', 'text.body is longer than 4096 characters');
    if (isOutsideWindow) return reEngagement;
    return { ...who, type: 'text', text };
  }
  if (message.type === 'interactive') {
    const checked = checkInteractive(message.interactive);
    if (typeof checked !== 'string') return checked;
    return isOutsideWindow ? reEngagement : { ...who, type: 'interactive', interactive: checked };
  }
  return fail(400, 131051, 'Unsupported message type', `type ${String(message.type)} is not supported by the sandbox`);
}
