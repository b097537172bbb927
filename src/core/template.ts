import type { DeliveryFailure } from './transport.js';

/**
 * A WhatsApp message template as the account knows it, synced from the Cloud API by `canale templates sync`.
 * Message files are checked against these before a send: name and language must exist, the template must be
 * approved, and the parameters must match its format and names (or count).
 */
export type TemplateStatus = 'APPROVED' | 'PENDING' | 'REJECTED' | 'PAUSED' | 'DISABLED' | 'IN_APPEAL' | 'PENDING_DELETION' | 'DELETED' | 'LIMIT_EXCEEDED' | 'ARCHIVED';

export type TemplateCategory = 'UTILITY' | 'MARKETING' | 'AUTHENTICATION';

export type TemplateParameterFormat = 'positional' | 'named';

export const TEMPLATE_STATUSES: readonly TemplateStatus[] = [
  'APPROVED', 'PENDING', 'REJECTED', 'PAUSED', 'DISABLED', 'IN_APPEAL', 'PENDING_DELETION', 'DELETED', 'LIMIT_EXCEEDED', 'ARCHIVED',
];
export const TEMPLATE_CATEGORIES: readonly TemplateCategory[] = ['UTILITY', 'MARKETING', 'AUTHENTICATION'];

/** The texts a person sees; `{{1}}` or `{{nome}}` placeholders left as they are. */
export interface TemplateTexts {
  /** A text header; absent for media headers (then `headerFormat` says which). */
  readonly header?: string;
  readonly headerFormat?: 'TEXT' | 'IMAGE' | 'VIDEO' | 'DOCUMENT' | 'LOCATION';
  readonly body: string;
  readonly footer?: string;
  /** Button labels, in order. */
  readonly buttons: readonly string[];
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
  readonly texts: TemplateTexts;
  /** When this copy was fetched (ISO 8601, UTC). */
  readonly syncedAt: string;
}

/** Whether a send with this template can work now. */
export function isUsable(template: Template): boolean {
  return template.status === 'APPROVED';
}

/** The body's placeholders in order of first appearance: `['1', '2']` or `['nome', 'via']`. */
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
