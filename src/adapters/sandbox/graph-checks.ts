import { paramTextProblem } from '../../core/message/template-params.js';
import { placeholdersOf } from '../../core/template.js';
import { BSUID_FORM } from '../../core/whatsapp-identity.js';
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
  /** The business-scoped user id it was addressed to (`recipient`). */
  readonly userId?: string;
  readonly type: 'template' | 'text';
  readonly template?: string;
  readonly text?: string;
}

export interface MessageRules {
  readonly templates: readonly GraphTemplateRecord[];
  /** Numbers (digits) and user ids that wrote in the last 24 hours: free text is allowed to them. */
  readonly openWindow: ReadonlySet<string>;
}

const fail = (http: number, code: number, title: string, details: string): GraphErrorAnswer => ({ http, code, message: `(#${code}) ${title}`, details });

/**
 * Who a message is for: `to` (a number) or `recipient` (a BSUID), `to` winning when both are given, as Meta documents
 * for `recipient`. A user id in `to` is refused: Meta's `to` is a number, the id has its own field.
 */
function checkRecipient(message: Record<string, unknown>): GraphErrorAnswer | { readonly to: string; readonly userId?: string } {
  const { to, recipient } = message;
  if (recipient !== undefined && (typeof recipient !== 'string' || !BSUID_FORM.test(recipient))) {
    return fail(400, 131009, 'Parameter value is not valid', `"recipient" (${String(recipient)}) is not a valid business-scoped user id`);
  }
  if (to === undefined) {
    return recipient === undefined ? fail(400, 131008, 'Required parameter is missing', 'one of "to" or "recipient" is required') : { to: '', userId: recipient };
  }
  const digits = typeof to === 'string' ? to.replace(/^\+/, '') : '';
  if (!/^[1-9]\d{6,14}$/.test(digits)) {
    const hint = typeof to === 'string' && BSUID_FORM.test(to) ? '; a business-scoped user id goes in "recipient"' : '';
    return fail(400, 131009, 'Parameter value is not valid', `"to" (${String(to)}) is not a valid phone number${hint}`);
  }
  return { to: digits, ...(typeof recipient === 'string' ? { userId: recipient } : {}) };
}

type Param = { type?: unknown; text?: unknown; parameter_name?: unknown };

function checkTemplate(template: Record<string, unknown>, rules: MessageRules): GraphErrorAnswer | string {
  const name = template.name;
  const language = (template.language as { code?: unknown } | undefined)?.code;
  if (typeof name !== 'string' || typeof language !== 'string') return fail(400, 100, 'Invalid parameter', 'template.name and template.language.code are required');
  const found = rules.templates.find((t) => t.name === name && t.language === language);
  if (found === undefined || ['PENDING', 'REJECTED'].includes(found.status)) {
    return fail(404, 132001, 'Template name does not exist in the translation', `template name (${name}) does not exist in ${language}`);
  }
  if (found.status === 'PAUSED') return fail(400, 132015, 'Template is Paused', `template ${name} is paused because of low quality`);
  if (found.status === 'DISABLED') return fail(400, 132016, 'Template is Disabled', `template ${name} was disabled because of low quality`);
  const bodyText = String(found.components.find((c) => c.type === 'BODY')?.text ?? '');
  const expected = placeholdersOf(bodyText);
  const components = Array.isArray(template.components) ? (template.components as Array<{ type?: unknown; parameters?: unknown }>) : [];
  const body = components.find((c) => c.type === 'body');
  const params = (Array.isArray(body?.parameters) ? body.parameters : []) as Param[];
  const named = found.parameter_format === 'NAMED';
  if (params.some((p) => (p.parameter_name !== undefined) !== named)) {
    return fail(400, 132012, 'Parameter format does not match format in the created template', `template ${name} uses ${named ? 'named' : 'positional'} parameters`);
  }
  const given = params.map((p) => String(p.parameter_name ?? ''));
  const countMatches = named ? given.length === expected.length && expected.every((e) => given.includes(e)) : params.length === expected.length;
  if (!countMatches) {
    return fail(400, 132000, 'Number of parameters does not match the expected number of params', `body: number of localizable_params (${params.length}) does not match the expected number of params (${expected.length})`);
  }
  for (const p of params) {
    if (typeof p.text !== 'string' || paramTextProblem(p.text) !== undefined) {
      return fail(400, 132018, "There's an issue with the parameters in your template", 'Param text cannot have new-line/tab characters or more than 4 consecutive spaces');
    }
  }
  return name;
}

/** Validates a `POST /messages` body like the real endpoint (issue 4 §6); returns the error or what was accepted. */
export function checkMessage(body: unknown, rules: MessageRules): GraphErrorAnswer | AcceptedMessage {
  if (typeof body !== 'object' || body === null) return fail(400, 100, 'Invalid parameter', 'the request body is not a JSON object');
  const message = body as Record<string, unknown>;
  if (message.messaging_product !== 'whatsapp') return fail(400, 100, 'Invalid parameter', 'messaging_product must be "whatsapp"');
  const who = checkRecipient(message);
  if ('code' in who) return who;
  if (message.type === 'template') {
    const checked = checkTemplate((message.template ?? {}) as Record<string, unknown>, rules);
    return typeof checked === 'string' ? { ...who, type: 'template', template: checked } : checked;
  }
  if (message.type === 'text') {
    const text = (message.text as { body?: unknown } | undefined)?.body;
    if (typeof text !== 'string' || text === '') return fail(400, 131008, 'Required parameter is missing', 'text.body is required');
    if (text.length > 4096) return fail(400, 100, 'Invalid parameter', 'text.body is longer than 4096 characters');
    if (!rules.openWindow.has(who.to === '' ? (who.userId ?? '') : who.to)) {
      return fail(400, 131047, 'Re-engagement message', 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.');
    }
    return { ...who, type: 'text', text };
  }
  return fail(400, 131051, 'Unsupported message type', `type ${String(message.type)} is not supported by the sandbox`);
}
