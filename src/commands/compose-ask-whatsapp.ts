import { findPlaceholders, fillPlaceholders } from '../core/message/placeholders.js';
import { hydratedBodyProblem, type TemplateInfo } from '../core/message/template-check.js';
import { paramTextProblem } from '../core/message/template-params.js';
import { takesOnlyBodyValues } from '../core/message/template-parts.js';
import { placeholdersOf } from '../core/template.js';
import type { TopicId } from '../core/topic.js';
import type { Context } from './context.js';
import type { ComposeAnswers } from './compose-build-message.js';

export const FREE_TEXT_WARNING = 'free text on WhatsApp reaches only citizens who wrote to the city in the last 24 hours';

/**
 * Why this answer for `slot` cannot be a parameter of `template`, or true: it is checked as WhatsApp checks a
 * parameter (not empty, no line break, no tab, no run of more than four spaces), its placeholders must be ones the
 * store's subscribers can fill, and the body filled with it and the answers before it (each placeholder counted as
 * its default, or as written) must fit WhatsApp's 1,024 characters.
 */
export function checkParamAnswer(
  value: string,
  slot: string,
  template: TemplateInfo,
  earlier: Readonly<Record<string, string>>,
  knownFields: ReadonlySet<string>,
): true | string {
  const text = value.trim(); // the answer is kept trimmed
  const problem = paramTextProblem(text);
  if (problem !== undefined) return `WhatsApp refuses a parameter that ${problem} — type it again`;
  const { placeholders, malformed } = findPlaceholders(text);
  if (malformed > 0) return 'a "{{" or "}}" that is not a placeholder — write {{nome}} or {{nome | "cittadina, cittadino"}}';
  const unknown = placeholders.find((p) => !knownFields.has(p.field));
  if (unknown !== undefined) {
    const attributes = [...knownFields].filter((f) => !['name', 'phone', 'email'].includes(f));
    return `unknown placeholder ${unknown.raw} — use nome, email, telefono${attributes.length > 0 ? ` or an attribute: ${attributes.join(', ')}` : ''}`;
  }
  const shown = (v: string) => fillPlaceholders(v, () => undefined).text || v;
  const values = Object.fromEntries([...Object.entries(earlier).map(([k, v]) => [k, shown(v)]), [slot, shown(text)]]);
  const tooLong = hydratedBodyProblem(
    template,
    template.parameterFormat === 'named' ? { format: 'named', values } : { format: 'positional', values: placeholdersOf(template.body).map((s) => values[s] ?? `{{${s}}}`) },
  );
  return tooLong === undefined ? true : `${tooLong} — make this parameter shorter`;
}

/**
 * Approved templates, those whose name recalls a chosen topic first (avviso_cantieri for cantieri), then as synced.
 * Only those that take nothing but body parameters, which is all the wizard asks for: a template whose header or
 * buttons take a value (an image, a link's suffix) is written into a message file by hand (README: Message files).
 */
export function rankTemplates(templates: readonly TemplateInfo[], topics: readonly TopicId[]): TemplateInfo[] {
  const stems = topics.flatMap((t) => t.split('-')).map((word) => word.slice(0, 5).toLowerCase()).filter((s) => s.length >= 4);
  const recalls = (t: TemplateInfo) => stems.some((s) => t.name.toLowerCase().includes(s));
  const approved = templates.filter((t) => t.status === 'APPROVED' && takesOnlyBodyValues(t));
  return [...approved.filter(recalls), ...approved.filter((t) => !recalls(t))];
}

/** Asks for each parameter of the template in turn, checking each answer as it is typed and asking again. */
async function askParams(ctx: Context, template: TemplateInfo, knownFields: ReadonlySet<string>): Promise<string[] | Record<string, string>> {
  const slots = placeholdersOf(template.body);
  const answers: Record<string, string> = {};
  const excerpt = `${template.body.slice(0, 70)}${template.body.length > 70 ? '…' : ''}`;
  for (const [i, slot] of slots.entries()) {
    const value = await ctx.deps.prompter.input(`Value for {{${slot}}} in “${excerpt}” (placeholders like {{nome}} allowed)`, {
      ...(i === 0 ? { default: '{{nome | "cittadina, cittadino"}}' } : {}),
      validate: (v) => checkParamAnswer(v, slot, template, answers, knownFields),
    });
    answers[slot] = value.trim();
  }
  return template.parameterFormat === 'named' ? answers : slots.map((s) => answers[s] ?? '');
}

/**
 * How WhatsApp gets the message: an approved template by default (the first offered, the one whose name recalls the
 * topic first), free text only when chosen — with the 24-hour warning — or when no approved template is synced.
 */
export async function askWhatsApp(ctx: Context, templates: readonly TemplateInfo[], topics: readonly TopicId[], knownFields: ReadonlySet<string>): Promise<ComposeAnswers['whatsapp']> {
  const approved = rankTemplates(templates, topics);
  if (approved.length === 0) {
    ctx.ui.warn(`no approved WhatsApp template is synced (canale templates sync): WhatsApp gets the text as free text, and ${FREE_TEXT_WARNING}`);
    return undefined;
  }
  const FREE = '';
  const choice = await ctx.deps.prompter.select('WhatsApp: send with an approved template, or as free text?', [
    ...approved.map((t) => ({ name: `template ${t.name} (${t.language}, ${t.category.toLowerCase()})`, value: `${t.name}\u0000${t.language}`, description: t.body })),
    { name: 'Free text (reaches only citizens who wrote in the last 24 hours)', value: FREE, description: `${FREE_TEXT_WARNING}: everyone else gets nothing on WhatsApp` },
  ]);
  const template = approved.find((t) => `${t.name}\u0000${t.language}` === choice);
  if (template === undefined) {
    ctx.ui.warn(`${FREE_TEXT_WARNING}; everyone else gets nothing on WhatsApp — choose a template to reach them`);
    return undefined;
  }
  return { template: template.name, language: template.language, params: await askParams(ctx, template, knownFields) };
}
