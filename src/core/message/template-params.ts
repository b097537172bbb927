import type { TemplateButtonContent, TemplateHeaderContent, TemplateParameters } from '../transport.js';
import type { TemplateUse } from './message-spec.js';
import { fillPlaceholders } from './placeholders.js';
import type { TemplateInfo } from './template-check.js';
import { HEADER_TEXT_LIMIT, headerSlotsOf, valuedButtonsOf } from './template-parts.js';

/** The template body's limit once its parameters are filled in (WhatsApp answers 132005 past it). */
export const TEMPLATE_BODY_LIMIT = 1024;

/**
 * Why WhatsApp would refuse this parameter text (132018), or undefined: it must not be empty, hold a line break or
 * a tab, or a run of more than four spaces (reference §1.4).
 */
export function paramTextProblem(value: string): string | undefined {
  if (value.trim() === '') return 'is empty';
  if (/[\r\n]/.test(value)) return 'contains a line break';
  if (value.includes('\t')) return 'contains a tab';
  if (/ {5,}/.test(value)) return 'contains more than four spaces in a row';
  return undefined;
}

/** Why a URL button's suffix cannot end its link, or undefined: it is the end of an address, so it has no blanks. */
export function urlSuffixProblem(value: string): string | undefined {
  if (value === '') return 'is empty';
  return /\s/.test(value) ? 'contains a space or a line break, which a link cannot hold' : undefined;
}

const payloadProblem = (value: string): string | undefined => (value.trim() === '' ? 'is empty' : undefined);

export interface RenderedParams {
  /** The body's parameters. */
  readonly parameters: TemplateParameters;
  readonly header?: TemplateHeaderContent;
  readonly buttons?: readonly TemplateButtonContent[];
  readonly missing: readonly string[];
  /** `whatsapp.params[1] "…": contains a tab` for each value WhatsApp would reject. */
  readonly problems: readonly string[];
}

/**
 * Fills each parameter's placeholders for one recipient — the body's, the text header's, each button's — and checks
 * them the way the platform will. `template` (the synced one) names a named template's header parameter and gives
 * each button value its button's place; the filled header must fit WhatsApp's 60 characters.
 */
export function renderTemplateParams(use: TemplateUse, valueOf: (field: string) => string | undefined, template?: TemplateInfo): RenderedParams {
  const missing = new Set<string>();
  const problems: string[] = [];
  const fill = (where: string, text: string, problemOf = paramTextProblem, escape?: (value: string) => string): string => {
    const filled = fillPlaceholders(text, valueOf, escape);
    filled.missing.forEach((m) => missing.add(m));
    const problem = filled.missing.length > 0 ? undefined : problemOf(filled.text);
    if (problem !== undefined) problems.push(`${where} ${JSON.stringify(filled.text)}: ${problem}`);
    return filled.text;
  };
  const parameters: TemplateParameters = Array.isArray(use.params)
    ? { format: 'positional', values: (use.params as readonly string[]).map((p, i) => fill(`whatsapp.params[${i}]`, p)) }
    : { format: 'named', values: Object.fromEntries(Object.entries(use.params).map(([k, p]) => [k, fill(`whatsapp.params.${k}`, p)])) };
  let header: TemplateHeaderContent | undefined;
  if (use.header?.kind === 'text') {
    const values = use.header.params.map((p, i) => fill(`whatsapp.header[${i}]`, p));
    const slots = template === undefined ? [] : headerSlotsOf(template);
    const named = template?.parameterFormat === 'named' && slots.length === values.length;
    header = { kind: 'text', parameters: named ? { format: 'named', values: Object.fromEntries(slots.map((s, i) => [s, values[i] ?? ''])) } : { format: 'positional', values } };
    const length = template?.header?.text === undefined ? 0 : fillHeaderText(template.header.text, slots, values).length;
    if (missing.size === 0 && length > HEADER_TEXT_LIMIT) problems.push(`whatsapp.header: the filled header has ${length} characters, over WhatsApp's limit of ${HEADER_TEXT_LIMIT}`);
  } else if (use.header !== undefined) {
    header = use.header;
  }
  const valued = template === undefined ? [] : valuedButtonsOf(template);
  const buttons = (use.buttons ?? []).map((entry, i): TemplateButtonContent => {
    const index = valued[i]?.index ?? i;
    // a subscriber's value becomes part of an address: percent-encoded, as links in e-mails are
    if ('url' in entry) return { kind: 'url', index, suffix: fill(`whatsapp.buttons[${i}].url`, entry.url, urlSuffixProblem, encodeURIComponent) };
    return { kind: 'quick-reply', index, payload: fill(`whatsapp.buttons[${i}].payload`, entry.payload, payloadProblem) };
  });
  return { parameters, ...(header === undefined ? {} : { header }), ...(buttons.length === 0 ? {} : { buttons }), missing: [...missing], problems };
}

/** A text header with its variables replaced by the values, in the order of `slots`. */
export function fillHeaderText(text: string, slots: readonly string[], values: readonly string[]): string {
  return text.replace(/\{\{\s*([a-z0-9_]+)\s*\}\}/gi, (raw, slot: string) => values[slots.indexOf(slot)] ?? raw);
}
