import { paramTextProblem } from '../../core/message/template-params.js';
import { placeholdersOf } from '../../core/template.js';
import type { GraphErrorAnswer } from './graph-checks.js';
import type { GraphTemplateRecord } from './sandbox-templates.js';

/*
 * A template send checked component by component as the Cloud API checks it. Codes and wording: Meta's own answers as
 * integrators quote them — 132000 "Number of parameters does not match the expected number of params" with
 * `<component>: number of localizable_params (n) does not match the expected number of params (m)`, 131008 "Required
 * parameter is missing" with `buttons: Button at index 0 of type Url requires a parameter`, 132012 "Parameter format
 * does not match format in the created template" with `header: Format mismatch, expected IMAGE, received UNKNOWN`.
 * Where Meta's wording is not known (a button index that does not exist, a malformed media link) the reference's
 * error-codes table decides the code — 131009 "Parameter value is not valid" — and the details say what is wrong.
 */

type Json = Record<string, unknown>;
type Param = { type?: unknown; text?: unknown; parameter_name?: unknown; payload?: unknown } & Json;

const fail = (http: number, code: number, title: string, details: string): GraphErrorAnswer => ({ http, code, message: `(#${code}) ${title}`, details });
const countMismatch = (component: string, given: number, expected: number) =>
  fail(400, 132000, 'Number of parameters does not match the expected number of params', `${component}: number of localizable_params (${given}) does not match the expected number of params (${expected})`);
const formatMismatch = (details: string) => fail(400, 132012, 'Parameter format does not match format in the created template', details);
const missing = (details: string) => fail(400, 131008, 'Required parameter is missing', details);
const invalid = (details: string) => fail(400, 131009, 'Parameter value is not valid', details);
const badText = () => fail(400, 132018, "There's an issue with the parameters in your template", 'Param text cannot have new-line/tab characters or more than 4 consecutive spaces');
// Meta: "Translated text is too long" once the parameters are in (reference §1.4, §1.7: body 1,024, header 60)
const tooLong = (component: string, limit: number) => fail(400, 132005, 'Translated text is too long', `${component}: the text with its parameters is longer than ${limit} characters`);

const paramsOf = (component: Json | undefined): Param[] => (Array.isArray(component?.parameters) ? (component.parameters as Param[]) : []);
const objects = (value: unknown): Json[] => (Array.isArray(value) ? value.filter((v): v is Json => typeof v === 'object' && v !== null) : []);

/** What a text-like parameter puts in its slot: its text, or a currency's or a date's fallback value (reference §1.4). */
function slotText(p: Param): unknown {
  if (p.type === 'text') return p.text;
  return ((p.type === 'currency' ? p.currency : p.date_time) as { fallback_value?: unknown } | undefined)?.fallback_value;
}

/**
 * Text parameters of the header (`text` only) or the body (also `currency`, `date_time`): count, format (named or
 * positional), each text as WhatsApp takes it, and the length of the text filled.
 */
function checkTexts(component: 'header' | 'body', text: string, params: Param[], named: boolean, limit: number): GraphErrorAnswer | undefined {
  const expected = placeholdersOf(text);
  const types = component === 'body' ? ['text', 'currency', 'date_time'] : ['text'];
  const wrong = params.find((p) => !types.includes(String(p.type)));
  if (wrong !== undefined) return formatMismatch(`${component}: Format mismatch, expected TEXT, received ${String(wrong.type ?? 'UNKNOWN').toUpperCase()}`);
  if (params.some((p) => (p.parameter_name !== undefined) !== named)) {
    return formatMismatch(`${component}: the template uses ${named ? 'named' : 'positional'} parameters`);
  }
  const names = params.map((p) => String(p.parameter_name ?? ''));
  const matches = named ? names.length === expected.length && expected.every((e) => names.includes(e)) : params.length === expected.length;
  if (!matches) return countMismatch(component, params.length, expected.length);
  if (params.some((p) => typeof slotText(p) !== 'string' || paramTextProblem(String(slotText(p))) !== undefined)) return badText();
  const valueOf = (slot: string) => String(slotText((named ? params.find((p) => p.parameter_name === slot) : params[Number(slot) - 1]) ?? {}) ?? '');
  const filled = text.replace(/\{\{\s*([a-z0-9_]+)\s*\}\}/gi, (_raw, slot: string) => valueOf(slot));
  return filled.length > limit ? tooLong(component, limit) : undefined;
}

/** A media header: its parameter must be of the header's format and carry exactly one of `id` or an http(s) `link`. */
function checkMedia(format: string, params: Param[]): GraphErrorAnswer | undefined {
  const kind = format.toLowerCase();
  const [param] = params;
  if (param === undefined) return formatMismatch(`header: Format mismatch, expected ${format}, received UNKNOWN`);
  if (params.length > 1) return countMismatch('header', params.length, 1);
  if (param.type !== kind) return formatMismatch(`header: Format mismatch, expected ${format}, received ${String(param.type ?? 'UNKNOWN').toUpperCase()}`);
  const media = param[kind] as { id?: unknown; link?: unknown } | undefined;
  if (typeof media !== 'object' || media === null || (media.id === undefined && media.link === undefined)) return missing(`header: ${kind}.id or ${kind}.link is required`);
  if (media.id !== undefined && media.link !== undefined) return invalid(`header: give one of ${kind}.id or ${kind}.link, not both`);
  if (media.id !== undefined) return typeof media.id === 'string' && /^\S+$/.test(media.id) ? undefined : invalid(`header: ${kind}.id (${String(media.id)}) is not a media id`);
  let url: URL | undefined;
  try {
    url = new URL(String(media.link));
  } catch {
    url = undefined;
  }
  return url !== undefined && ['http:', 'https:'].includes(url.protocol) && typeof media.link === 'string' ? undefined : invalid(`header: ${kind}.link (${String(media.link)}) is not a valid http(s) URL`);
}

function checkHeader(found: GraphTemplateRecord, given: Json | undefined): GraphErrorAnswer | undefined {
  const header = found.components.find((c) => c.type === 'HEADER');
  const params = paramsOf(given);
  if (header === undefined) return given === undefined ? undefined : countMismatch('header', params.length, 0);
  const format = String(header.format ?? 'TEXT');
  if (format !== 'TEXT') return checkMedia(format, params);
  return checkTexts('header', String(header.text ?? ''), params, found.parameter_format === 'NAMED', 60);
}

/** Meta's name for a button type in its details (`Url`, `QuickReply`, `PhoneNumber`). */
const typeWord = (type: string): string => type.toLowerCase().split('_').map((w) => `${w.charAt(0).toUpperCase()}${w.slice(1)}`).join('');

/**
 * The button components: each names an existing button (`index`, "0"…"9" — Meta's own example also sends it as a
 * number, which it takes) of its `sub_type`, with one parameter; a URL button whose address has a variable must get
 * its suffix; a quick reply's payload is optional (WhatsApp then returns the label), but not empty when sent.
 */
function checkButtons(found: GraphTemplateRecord, components: Json[]): GraphErrorAnswer | undefined {
  const buttons = objects(found.components.find((c) => c.type === 'BUTTONS')?.buttons);
  const given = new Map<number, Json>();
  for (const component of components) {
    const index = typeof component.index === 'number' ? component.index : typeof component.index === 'string' && /^\d$/.test(component.index) ? Number(component.index) : NaN;
    const button = buttons[index];
    if (button === undefined) return invalid(`buttons: there is no button at index ${String(component.index)}`);
    if (given.has(index)) return invalid(`buttons: more than one component for the button at index ${index}`);
    given.set(index, component);
    const type = String(button.type ?? '');
    if (String(component.sub_type ?? '').toUpperCase() !== type) return fail(400, 132018, "There's an issue with the parameters in your template", `buttons: Button at index ${index} must be of type ${typeWord(type)}`);
    const params = paramsOf(component);
    const takes = type === 'URL' ? placeholdersOf(String(button.url ?? '')).length : 1;
    if (params.length !== takes) return countMismatch('button', params.length, takes);
    const [param] = params;
    if (type === 'QUICK_REPLY' && (param?.type !== 'payload' || typeof param.payload !== 'string' || param.payload.trim() === '')) {
      return missing(`buttons: Button at index ${index} of type QuickReply requires a payload`);
    }
    if (type === 'URL' && (param?.type !== 'text' || typeof param.text !== 'string' || param.text === '')) return missing(`buttons: Button at index ${index} of type Url requires a parameter`);
    if (type === 'URL' && /\s/.test(String(param?.text))) return badText();
  }
  for (const [index, button] of buttons.entries()) {
    const required = (button.type === 'URL' && placeholdersOf(String(button.url ?? '')).length > 0) || button.type === 'COPY_CODE';
    if (required && !given.has(index)) return missing(`buttons: Button at index ${index} of type ${typeWord(String(button.type))} requires a parameter`);
  }
  return undefined;
}

/** Checks a `type: template` message against the account's templates (issue 4 §6, issue 16): the error, or the template's name. */
export function checkTemplate(template: Json, templates: readonly GraphTemplateRecord[]): GraphErrorAnswer | string {
  const name = template.name;
  const language = (template.language as { code?: unknown } | undefined)?.code;
  if (typeof name !== 'string' || typeof language !== 'string') return fail(400, 100, 'Invalid parameter', 'template.name and template.language.code are required');
  const found = templates.find((t) => t.name === name && t.language === language);
  if (found === undefined || ['PENDING', 'REJECTED'].includes(found.status)) {
    return fail(404, 132001, 'Template name does not exist in the translation', `template name (${name}) does not exist in ${language}`);
  }
  if (found.status === 'PAUSED') return fail(400, 132015, 'Template is Paused', `template ${name} is paused because of low quality`);
  if (found.status === 'DISABLED') return fail(400, 132016, 'Template is Disabled', `template ${name} was disabled because of low quality`);
  const components = objects(template.components);
  const unknown = components.find((c) => !['header', 'body', 'button'].includes(String(c.type)));
  if (unknown !== undefined) return fail(400, 100, 'Invalid parameter', `components: unknown component type ${String(unknown.type)}`);
  const one = (type: string) => components.find((c) => c.type === type);
  const bodyText = String(found.components.find((c) => c.type === 'BODY')?.text ?? '');
  const answer =
    checkHeader(found, one('header')) ??
    checkTexts('body', bodyText, paramsOf(one('body')), found.parameter_format === 'NAMED', 1024) ??
    checkButtons(found, components.filter((c) => c.type === 'button'));
  return answer ?? name;
}
