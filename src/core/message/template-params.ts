import type { TemplateParameters } from '../transport.js';
import type { TemplateUse } from './message-spec.js';
import { fillPlaceholders } from './placeholders.js';

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

export interface RenderedParams {
  readonly parameters: TemplateParameters;
  readonly missing: readonly string[];
  /** `whatsapp.params[1] "…": contains a tab` for each parameter WhatsApp would reject. */
  readonly problems: readonly string[];
}

/** Fills each parameter's placeholders for one recipient and checks it the way the platform will. */
export function renderTemplateParams(use: TemplateUse, valueOf: (field: string) => string | undefined): RenderedParams {
  const missing = new Set<string>();
  const problems: string[] = [];
  const fill = (where: string, text: string): string => {
    const filled = fillPlaceholders(text, valueOf);
    filled.missing.forEach((m) => missing.add(m));
    const problem = filled.missing.length > 0 ? undefined : paramTextProblem(filled.text);
    if (problem !== undefined) problems.push(`${where} ${JSON.stringify(filled.text)}: ${problem}`);
    return filled.text;
  };
  const parameters: TemplateParameters = Array.isArray(use.params)
    ? { format: 'positional', values: (use.params as readonly string[]).map((p, i) => fill(`whatsapp.params[${i}]`, p)) }
    : { format: 'named', values: Object.fromEntries(Object.entries(use.params).map(([k, p]) => [k, fill(`whatsapp.params.${k}`, p)])) };
  return { parameters, missing: [...missing], problems };
}
