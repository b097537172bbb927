import { cutValue } from '../cut-value.js';
import type { Channel } from '../subscriber.js';
import { describeUnknownTopics, findTopic, type Topic, type TopicId } from '../topic.js';
import { compileHtmlBody, type HtmlBody } from './email-html.js';
import { markdownToPlainText, markdownToWhatsApp } from './markdown-text.js';
import type { MessageSpec } from './message-spec.js';
import { findPlaceholders } from './placeholders.js';
import { checkTemplateUse, type TemplateInfo } from './template-check.js';

/** How many unknown placeholders of one text are named; the rest are counted. */
const SHOWN_UNKNOWN = 5;

/** WhatsApp's limit for a free-text message body. */
export const WHATSAPP_TEXT_LIMIT = 4096;

/** A message checked once and rendered as far as it can be before knowing the recipient. */
export interface CompiledMessage {
  readonly spec: MessageSpec;
  readonly topics: readonly TopicId[];
  readonly topicLabels: readonly string[];
  readonly channels: readonly Channel[];
  /** Free text in WhatsApp formatting, placeholders still open; undefined when the message uses a template. */
  readonly whatsappText?: string;
  /** The synced template the message uses, checked. */
  readonly whatsappTemplate?: TemplateInfo;
  readonly email?: { readonly subject: string; readonly text: string; readonly html: HtmlBody };
}

export interface CompileContext {
  readonly topics: readonly Topic[];
  /** Fields a placeholder may name: subscriber fields and known attribute keys. */
  readonly knownFields: ReadonlySet<string>;
  /** The synced WhatsApp templates (`canale templates sync`). */
  readonly templates: readonly TemplateInfo[];
}

export type Compiled = { readonly ok: true; readonly message: CompiledMessage } | { readonly ok: false; readonly problems: readonly string[] };

/** Every text of the message that may hold placeholders, with a name for error messages. */
function texts(spec: MessageSpec): Array<[string, string]> {
  const params = spec.whatsapp?.params ?? [];
  const paramTexts: Array<[string, string]> = Array.isArray(params)
    ? params.map((p, i): [string, string] => [`whatsapp.params[${i}]`, p])
    : Object.entries(params).map(([k, p]): [string, string] => [`whatsapp.params.${k}`, p]);
  const header = spec.whatsapp?.header;
  const headerTexts = header?.kind === 'text' ? header.params.map((p, i): [string, string] => [`whatsapp.header[${i}]`, p]) : [];
  const buttonTexts = (spec.whatsapp?.buttons ?? []).map((b, i): [string, string] => ('url' in b ? [`whatsapp.buttons[${i}].url`, b.url] : [`whatsapp.buttons[${i}].payload`, b.payload]));
  return [['body', spec.body], ...(spec.subject === undefined ? [] : [['subject', spec.subject] as [string, string]]), ...headerTexts, ...paramTexts, ...buttonTexts];
}

const TOO_DEEP = 'body: the Markdown nests too deeply to be read (thousands of ">" quotes, list levels or * markers in a row) — write it flatter';

/** Renders the body; Markdown nested thousands of levels deep overflows the reader's stack, which is a problem of the file. */
function readMarkdown<T>(render: () => T, problems: string[]): T | undefined {
  try {
    return render();
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    if (!problems.includes(TOO_DEEP)) problems.push(TOO_DEEP);
    return undefined;
  }
}

/**
 * Checks what can be checked without recipients — topics exist, placeholders are well-formed and name known
 * fields, e-mail has a subject free of line breaks, free text fits WhatsApp's limit — and renders the Markdown.
 * A template use is checked against the synced templates (exists, language, APPROVED, parameters).
 */
export function compileMessage(spec: MessageSpec, context: CompileContext, extraTopics: readonly string[] = []): Compiled {
  const problems: string[] = [];
  const topics: Topic[] = [];
  const unknown: string[] = [];
  for (const name of [...spec.topics, ...extraTopics]) {
    const topic = findTopic(context.topics, name);
    if (topic === undefined) unknown.push(name);
    else if (!topics.includes(topic)) topics.push(topic);
  }
  if (unknown.length > 0) problems.push(describeUnknownTopics(context.topics, unknown));
  for (const [where, text] of texts(spec)) {
    const { placeholders, malformed } = findPlaceholders(text);
    if (malformed > 0) problems.push(`${where}: a "{{" or "}}" that is not a placeholder — write {{field}} or {{field | "default"}}`);
    // each unknown one once, the first few in full: a file of thousands is told in a few lines
    const unknownRaws = [...new Set(placeholders.filter((p) => !context.knownFields.has(p.field)).map((p) => p.raw))];
    for (const raw of unknownRaws.slice(0, SHOWN_UNKNOWN)) {
      problems.push(`${where}: unknown placeholder ${cutValue(raw, 60)} — use nome, email, telefono or an attribute: ${[...context.knownFields].filter((f) => !['name', 'phone', 'email'].includes(f)).join(', ') || '(no attributes yet)'}`);
    }
    if (unknownRaws.length > SHOWN_UNKNOWN) problems.push(`${where}: … and ${unknownRaws.length - SHOWN_UNKNOWN} more unknown placeholders`);
  }
  const channels = spec.channels ?? (['whatsapp', 'email'] as const);
  const wantsEmail = channels.includes('email');
  if (wantsEmail && spec.subject === undefined) problems.push('subject: an e-mail needs a subject — add "subject: …" to the front matter');
  if (spec.subject !== undefined && /[\r\n]/.test(spec.subject)) problems.push('subject: line breaks are not allowed in a subject');
  const whatsappText = spec.whatsapp === undefined ? readMarkdown(() => markdownToWhatsApp(spec.body), problems) : undefined;
  let whatsappTemplate: TemplateInfo | undefined;
  if (spec.whatsapp !== undefined && channels.includes('whatsapp')) {
    const checked = checkTemplateUse(spec.whatsapp, context.templates);
    problems.push(...checked.problems);
    whatsappTemplate = checked.template;
  }
  if (whatsappText !== undefined && channels.includes('whatsapp') && whatsappText.length > WHATSAPP_TEXT_LIMIT) {
    problems.push(`body: ${whatsappText.length} characters as a WhatsApp message, over its limit of ${WHATSAPP_TEXT_LIMIT}`);
  }
  if (spec.body.trim() === '' && (wantsEmail || spec.whatsapp === undefined)) problems.push('body: the message has no text');
  const email = wantsEmail ? readMarkdown(() => ({ subject: spec.subject ?? '', text: markdownToPlainText(spec.body), html: compileHtmlBody(spec.body) }), problems) : undefined;
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    message: {
      spec,
      topics: topics.map((t) => t.id),
      topicLabels: topics.map((t) => t.label),
      channels,
      ...(whatsappText === undefined ? {} : { whatsappText }),
      ...(whatsappTemplate === undefined ? {} : { whatsappTemplate }),
      ...(email === undefined ? {} : { email }),
    },
  };
}
