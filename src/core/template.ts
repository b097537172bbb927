import type { DeliveryFailure } from './transport.js';

/**
 * A WhatsApp message template as the account knows it, synced from the Cloud API by `canale templates sync`.
 * Message files are checked against these before a send: name and language must exist, the template must be
 * approved, and every component's parameters must match it — the header's (text or media), the body's (format and
 * names, or count), and the buttons' (a URL's suffix, a quick reply's payload).
 */
export type TemplateStatus = 'APPROVED' | 'PENDING' | 'REJECTED' | 'PAUSED' | 'DISABLED' | 'IN_APPEAL' | 'PENDING_DELETION' | 'DELETED' | 'LIMIT_EXCEEDED' | 'ARCHIVED';

export type TemplateCategory = 'UTILITY' | 'MARKETING' | 'AUTHENTICATION';

export type TemplateParameterFormat = 'positional' | 'named';

export const TEMPLATE_STATUSES: readonly TemplateStatus[] = [
  'APPROVED', 'PENDING', 'REJECTED', 'PAUSED', 'DISABLED', 'IN_APPEAL', 'PENDING_DELETION', 'DELETED', 'LIMIT_EXCEEDED', 'ARCHIVED',
];
export const TEMPLATE_CATEGORIES: readonly TemplateCategory[] = ['UTILITY', 'MARKETING', 'AUTHENTICATION'];

/** What a template's header is: a text (perhaps with one variable), a media file sent with each message, or a place. */
export type HeaderFormat = 'TEXT' | 'IMAGE' | 'VIDEO' | 'DOCUMENT' | 'LOCATION';

export const HEADER_FORMATS: readonly HeaderFormat[] = ['TEXT', 'IMAGE', 'VIDEO', 'DOCUMENT', 'LOCATION'];

/** The texts a person sees; `{{1}}` or `{{nome}}` placeholders left as they are. */
export interface TemplateTexts {
  /** A text header; absent for media headers (then `headerFormat` says which). */
  readonly header?: string;
  readonly headerFormat?: HeaderFormat;
  readonly body: string;
  readonly footer?: string;
  /** Button labels, in order. */
  readonly buttons: readonly string[];
}

/** One button of a template, as approved. */
export interface TemplateButton {
  /** Meta's button type, upper case: `URL`, `QUICK_REPLY`, `PHONE_NUMBER`, `COPY_CODE`, `FLOW`, `VOICE_CALL`… */
  readonly type: string;
  /** Its label. */
  readonly text: string;
  /** A URL button's address as approved: `{{1}}` at its end where each message's suffix goes. */
  readonly url?: string;
  /** A phone button's number. */
  readonly phoneNumber?: string;
  /** The variables the button takes at send time (a dynamic URL's `['1']`); empty when what it does is fixed. */
  readonly parameters: readonly string[];
}

export interface Template {
  /** The provider's id of the template. */
  readonly id: string;
  readonly name: string;
  /** The locale it was approved in: `it`, `it_IT`, `en_US`… */
  readonly language: string;
  readonly category: TemplateCategory;
  readonly status: TemplateStatus;
  readonly parameterFormat: TemplateParameterFormat;
  /** Body parameter names in order of first appearance (`['1', '2']` for positional templates). */
  readonly parameters: readonly string[];
  /** A text header's parameter names (at most one); absent in templates synced before canale kept them. */
  readonly headerParameters?: readonly string[];
  readonly texts: TemplateTexts;
  /** Every button, in order, with its type and variables; absent in templates synced before canale kept them. */
  readonly buttons?: readonly TemplateButton[];
  /** When this copy was fetched (ISO 8601, UTC). */
  readonly syncedAt: string;
}

/** Whether a send with this template can work now. */
export function isUsable(template: Template): boolean {
  return template.status === 'APPROVED';
}

/** A text's placeholders (body, header, button URL) in order of first appearance: `['1', '2']` or `['nome', 'via']`. */
export function placeholdersOf(text: string): string[] {
  const seen: string[] = [];
  for (const match of text.matchAll(/\{\{\s*([a-z0-9_]+)\s*\}\}/gi)) {
    const name = match[1] as string;
    if (!seen.includes(name)) seen.push(name);
  }
  return seen;
}

/** The template of that name and language, or undefined. */
export function findTemplate(templates: readonly Template[], name: string, language: string): Template | undefined {
  return templates.find((t) => t.name === name && t.language === language);
}

/**
 * Where templates come from (the Cloud API's `message_templates`, or the sandbox standing in for it). Expected
 * failures are values, as for transports.
 */
export interface TemplateSource {
  fetchTemplates(signal: AbortSignal): Promise<
    | { readonly ok: true; readonly templates: readonly Omit<Template, 'syncedAt'>[] }
    | { readonly ok: false; readonly failure: DeliveryFailure }
  >;
}
