import { placeholdersOf } from '../template.js';
import type { TemplateParameters } from '../transport.js';
import type { TemplateUse } from './message-spec.js';
import { TEMPLATE_BODY_LIMIT } from './template-params.js';
import { buttonProblems, headerProblems, type TemplateParts } from './template-parts.js';

/** What a message needs to know of a synced WhatsApp template: every component it sends or shows. */
export interface TemplateInfo extends TemplateParts {
  readonly name: string;
  readonly language: string;
  readonly status: string;
  readonly category: string;
  readonly parameterFormat: 'positional' | 'named';
  /** The body text as approved, with `{{1}}` or `{{nome}}` where the parameters go. */
  readonly body: string;
}

/** A parameter slot in a template body, as `placeholdersOf` finds them: `{{1}}` or `{{nome}}`. */
const SLOT = /\{\{\s*([a-z0-9_]+)\s*\}\}/gi;

/**
 * Checks a message's template use against the synced templates: it exists in that language, is APPROVED, and the
 * message gives exactly what each component takes — the header's parameter or media, the body's parameters (as
 * many, or the same names), a value for each button that takes one. Returns the problems, each naming its field.
 */
export function checkTemplateUse(use: TemplateUse, templates: readonly TemplateInfo[]): { template?: TemplateInfo; problems: string[] } {
  const sameName = templates.filter((t) => t.name === use.template);
  if (sameName.length === 0) {
    const known = templates.map((t) => t.name);
    return {
      problems: [
        `whatsapp.template: there is no template "${use.template}"${known.length > 0 ? ` (synced: ${[...new Set(known)].join(', ')})` : ''} — run: canale templates sync`,
      ],
    };
  }
  const template = sameName.find((t) => t.language === use.language);
  if (template === undefined) {
    return { problems: [`whatsapp.language: template "${use.template}" has no "${use.language}" version (it has: ${sameName.map((t) => t.language).join(', ')})`] };
  }
  const problems: string[] = [];
  if (template.status !== 'APPROVED') {
    problems.push(`whatsapp.template: "${use.template}" (${use.language}) is ${template.status}, not APPROVED — WhatsApp will refuse it; check it in WhatsApp Manager, then: canale templates sync`);
  }
  const slots = placeholdersOf(template.body);
  if (Array.isArray(use.params)) {
    if (template.parameterFormat === 'named') {
      problems.push(`whatsapp.params: "${use.template}" takes named parameters (${slots.join(', ')}): write params as { ${slots.map((s) => `${s}: …`).join(', ')} }`);
    } else if (use.params.length !== slots.length) {
      problems.push(`whatsapp.params: "${use.template}" takes ${slots.length} parameter(s), the message gives ${use.params.length}`);
    }
  } else {
    const given = Object.keys(use.params);
    if (template.parameterFormat === 'positional') {
      problems.push(`whatsapp.params: "${use.template}" takes ${slots.length} positional parameter(s): write params as a list`);
    } else {
      const missing = slots.filter((s) => !given.includes(s));
      const extra = given.filter((g) => !slots.includes(g));
      if (missing.length > 0) problems.push(`whatsapp.params: missing ${missing.join(', ')} for "${use.template}"`);
      if (extra.length > 0) problems.push(`whatsapp.params: "${use.template}" has no parameter ${extra.join(', ')}`);
    }
  }
  problems.push(...headerProblems(use, template), ...buttonProblems(use, template));
  return { template, problems };
}

/** The template body as the citizen's phone shows it, with the parameters in their slots. */
export function fillTemplateBody(template: TemplateInfo, parameters: TemplateParameters): string {
  return template.body.replace(SLOT, (raw, slot: string) => {
    const value = parameters.format === 'positional' ? parameters.values[Number(slot) - 1] : parameters.values[slot];
    return value ?? raw;
  });
}

/** A template body cut at its slots: the length of its fixed text, and each slot with the text it holds unfilled. */
interface BodySlots {
  readonly fixedLength: number;
  readonly slots: ReadonlyArray<{ readonly slot: string; readonly raw: string }>;
}

/** Bodies already cut, per template: a send checks the same body for every recipient. */
const cutBodies = new WeakMap<TemplateInfo, BodySlots>();

function slotsOf(template: TemplateInfo): BodySlots {
  let cut = cutBodies.get(template);
  if (cut === undefined) {
    const slots = [...template.body.matchAll(SLOT)].map((m) => ({ slot: m[1] as string, raw: m[0] }));
    cut = { fixedLength: template.body.length - slots.reduce((n, s) => n + s.raw.length, 0), slots };
    cutBodies.set(template, cut);
  }
  return cut;
}

/**
 * Why the body filled with these parameters is too long for WhatsApp (132005), or undefined. Its length is counted
 * from the parameters, without building the text: this runs for every recipient of a send.
 */
export function hydratedBodyProblem(template: TemplateInfo, parameters: TemplateParameters): string | undefined {
  const { fixedLength, slots } = slotsOf(template);
  let length = fixedLength;
  for (const { slot, raw } of slots) {
    const value = parameters.format === 'positional' ? parameters.values[Number(slot) - 1] : parameters.values[slot];
    length += (value ?? raw).length;
  }
  return length > TEMPLATE_BODY_LIMIT ? `the filled template body has ${length} characters, over WhatsApp's limit of ${TEMPLATE_BODY_LIMIT}` : undefined;
}
