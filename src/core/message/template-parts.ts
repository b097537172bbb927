import { placeholdersOf, type HeaderFormat, type TemplateButton } from '../template.js';
import type { ButtonUse, HeaderMediaKind, TemplateUse } from './message-spec.js';

/** What the checks need of a template's header and buttons (part of `TemplateInfo`). */
export interface TemplateParts {
  readonly name: string;
  readonly header?: { readonly format: HeaderFormat; readonly text?: string };
  readonly footer?: string;
  /** Every button, in order; absent: the template has none. */
  readonly buttons?: readonly TemplateButton[];
  /** The stored copy was synced by a canale that kept only the buttons' labels: their types are unknown. */
  readonly buttonsUnknown?: boolean;
}

/** A header text's limit once its parameter is filled in (reference §1.7). */
export const HEADER_TEXT_LIMIT = 60;

/** The variables of a template's text header; none for a media header or a fixed text. */
export function headerSlotsOf(template: TemplateParts): string[] {
  return template.header?.format === 'TEXT' ? placeholdersOf(template.header.text ?? '') : [];
}

/** A button that takes a value at send time, with its place among all the template's buttons. */
export interface ValuedButton {
  readonly index: number;
  readonly button: TemplateButton;
  /** `url`: a URL button whose address ends in a variable (the suffix is required); `quick-reply`: a payload (optional). */
  readonly kind: 'url' | 'quick-reply';
}

/** The template's buttons a message gives values for, in order: URL buttons with a variable, and quick replies. */
export function valuedButtonsOf(template: TemplateParts): ValuedButton[] {
  return (template.buttons ?? []).flatMap((button, index): ValuedButton[] => {
    if (button.type === 'URL' && button.parameters.length > 0) return [{ index, button, kind: 'url' }];
    return button.type === 'QUICK_REPLY' ? [{ index, button, kind: 'quick-reply' }] : [];
  });
}

/** Buttons whose action is fixed when the template is approved: nothing is sent for them. */
const FIXED_BUTTONS = new Set(['URL', 'PHONE_NUMBER', 'VOICE_CALL', 'QUICK_REPLY', 'FLOW']);

const MEDIA_WORD: Readonly<Record<HeaderMediaKind, string>> = { image: 'an image', video: 'a video', document: 'a document' };

const mediaKindOf = (format: HeaderFormat): HeaderMediaKind | undefined =>
  format === 'IMAGE' ? 'image' : format === 'VIDEO' ? 'video' : format === 'DOCUMENT' ? 'document' : undefined;

/**
 * What is wrong with a message's header for its template: a text header with a variable needs its parameter (and
 * a fixed one, or none, takes nothing); an image, video or document header needs that media, by an https link or
 * a media id, the same for every recipient; a location header cannot be filled by canale.
 */
export function headerProblems(use: TemplateUse, template: TemplateParts): string[] {
  const given = use.header;
  const format = template.header?.format;
  const slots = headerSlotsOf(template);
  const name = `"${use.template}"`;
  if (format === 'LOCATION') return [`whatsapp.header: ${name} has a location header, which canale cannot fill — use a template without one`];
  const kind = format === undefined ? undefined : mediaKindOf(format);
  if (kind !== undefined) {
    if (given === undefined) {
      return [`whatsapp.header: ${name} has ${MEDIA_WORD[kind]} header: add header: { ${kind}: "https://…" } (a link), or { ${kind}: { id: "…" } } (a media id uploaded to WhatsApp)`];
    }
    if (given.kind !== kind) {
      const gives = given.kind === 'text' ? 'text parameters' : MEDIA_WORD[given.kind];
      return [`whatsapp.header: ${name} has ${MEDIA_WORD[kind]} header (${format}), the message gives ${gives} — write header: { ${kind}: "https://…" }`];
    }
    return 'link' in given.media ? linkProblems(`whatsapp.header.${kind}`, given.media.link) : idProblems(`whatsapp.header.${kind}`, given.media.id);
  }
  if (slots.length === 0) {
    if (given === undefined) return [];
    const what = format === 'TEXT' ? `a fixed header ("${template.header?.text ?? ''}")` : 'no header';
    return [`whatsapp.header: ${name} has ${what}, which takes no parameter — remove whatsapp.header`];
  }
  const example = `header: [${slots.map(() => '"…"').join(', ')}]`;
  if (given === undefined) return [`whatsapp.header: ${name}'s header "${template.header?.text ?? ''}" has ${slots.length === 1 ? 'a variable' : `${slots.length} variables`}: add ${example}`];
  if (given.kind !== 'text') return [`whatsapp.header: ${name} has a text header ("${template.header?.text ?? ''}"), not ${MEDIA_WORD[given.kind]} — write ${example}`];
  if (given.params.length !== slots.length) return [`whatsapp.header: ${name}'s header takes ${slots.length} parameter(s), the message gives ${given.params.length}`];
  return [];
}

/** WhatsApp fetches a header's media from its link when it sends: canale sends only well-formed https links. */
function linkProblems(where: string, link: string): string[] {
  if (/\{\{|\}\}/.test(link)) return [`${where}: a media link cannot hold placeholders — the header is the same for every recipient`];
  let url: URL | undefined;
  try {
    url = new URL(link);
  } catch {
    url = undefined;
  }
  if (url?.protocol !== 'https:' || url.hostname === '') return [`${where}: ${JSON.stringify(link)} is not an https:// link — WhatsApp fetches the file from it`];
  return [];
}

function idProblems(where: string, id: string): string[] {
  return /^\S+$/.test(id) && !/\{\{|\}\}/.test(id) ? [] : [`${where}.id: ${JSON.stringify(id)} is not a media id (the id WhatsApp gave when the file was uploaded)`];
}

const describeButton = (b: ValuedButton): string => (b.kind === 'url' ? `a URL button "${b.button.text}" (${b.button.url ?? ''})` : `a quick reply "${b.button.text}"`);

/**
 * What is wrong with a message's buttons for its template: one entry per button that takes a value, in order —
 * `{ url }` for a URL button whose address has a variable (required), `{ payload }` for a quick reply (WhatsApp sends
 * the label when there is none, so trailing quick replies may be left out) —, and no button canale cannot fill.
 */
export function buttonProblems(use: TemplateUse, template: TemplateParts): string[] {
  const name = `"${use.template}"`;
  if (template.buttonsUnknown === true) {
    return [`whatsapp.template: ${name} was synced by an older canale, which kept only its buttons' labels — run: canale templates sync`];
  }
  const problems: string[] = [];
  for (const button of template.buttons ?? []) {
    if (!FIXED_BUTTONS.has(button.type)) problems.push(`whatsapp.template: ${name} has a ${button.type || 'unknown'} button ("${button.text}"), which canale cannot fill — use a template without one`);
  }
  const valued = valuedButtonsOf(template);
  const given: readonly ButtonUse[] = use.buttons ?? [];
  if (given.length > valued.length) {
    const has = valued.length === 0 ? 'no button that takes a value' : `${valued.length} button(s) that take a value (${valued.map(describeButton).join(', ')})`;
    problems.push(`whatsapp.buttons: ${name} has ${has}, the message gives ${given.length}`);
    return problems;
  }
  valued.forEach((b, i) => {
    const entry = given[i];
    if (b.kind === 'url') {
      if (entry === undefined) problems.push(`whatsapp.buttons[${i}].url: ${name}'s button "${b.button.text}" opens ${b.button.url ?? ''}: give what goes in its variable as { url: "…" }`);
      else if (!('url' in entry)) problems.push(`whatsapp.buttons[${i}]: ${name}'s button "${b.button.text}" is a URL button — write { url: "…" }, the end of its address`);
    } else if (entry !== undefined && !('payload' in entry)) {
      problems.push(`whatsapp.buttons[${i}]: ${name}'s button "${b.button.text}" is a quick reply — write { payload: "…" }`);
    }
  });
  return problems;
}

/**
 * Whether a message gives this template nothing but its body's parameters: no header or button takes a value and
 * every button is one canale can send (what `compose`, which asks only for body parameters, can offer).
 */
export function takesOnlyBodyValues(template: TemplateParts): boolean {
  const bare: TemplateUse = { template: template.name, language: '', params: [] };
  return headerProblems(bare, template).length === 0 && buttonProblems(bare, template).length === 0;
}
