import { access } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { writeFileAtomic } from '../../adapters/fs/atomic-file.js';
import { parseMessageFile } from '../../adapters/message/message-file.js';
import { CanaleError, usageError } from '../../core/errors.js';
import { compileMessage } from '../../core/message/compile.js';
import { knownFields } from '../../core/message/placeholders.js';
import type { TemplateInfo } from '../../core/message/template-check.js';
import type { Channel } from '../../core/subscriber.js';
import { placeholdersOf } from '../../core/template.js';
import { resolveTopics, splitTopicList } from '../../core/topic.js';
import { collect, withExamples, type App } from '../app.js';
import type { Context } from '../context.js';
import { syncedTemplates } from '../message-context.js';
import { parsePreview, runPreview } from '../preview/index.js';
import { buildMessageFile, type ComposeAnswers } from './build-message.js';
import { canaleCommand } from '../../core/shell-quote.js';

export interface ComposeOptions {
  readonly topics: readonly string[];
  readonly out?: string;
}

export function parseCompose(flags: { topic?: string[]; out?: string }): ComposeOptions {
  return { topics: (flags.topic ?? []).flatMap(splitTopicList), ...(flags.out === undefined ? {} : { out: flags.out }) };
}

const FREE_TEXT = '';
const required = (what: string) => (value: string) => (value.trim() === '' ? `${what} cannot be empty` : true);

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** Asks for a template's parameters, one per slot, suggesting {{nome}} for the first. */
async function askParams(ctx: Context, template: TemplateInfo): Promise<string[] | Record<string, string>> {
  const slots = placeholdersOf(template.body);
  const answers: Array<[string, string]> = [];
  for (const [i, slot] of slots.entries()) {
    const value = await ctx.deps.prompter.input(`Value for {{${slot}}} in “${template.body.slice(0, 70)}${template.body.length > 70 ? '…' : ''}” (placeholders like {{nome}} allowed)`, {
      ...(i === 0 ? { default: '{{nome | "cittadina, cittadino"}}' } : {}),
      validate: required('a parameter'),
    });
    answers.push([slot, value.trim()]);
  }
  return template.parameterFormat === 'named' ? Object.fromEntries(answers) : answers.map(([, v]) => v);
}

/** The interactive wizard: topics, channels, subject, body, template; writes a message file and previews it. */
export async function runCompose(options: ComposeOptions, ctx: Context): Promise<number> {
  const { path, out } = await composeMessageFile(options, ctx);
  const code = await runPreview(parsePreview(path, {}), ctx);
  ctx.ui.info(`send it with: ${canaleCommand('send', '--message', out)}`);
  return code;
}

/** Asks the wizard's questions and writes the message file; returns its path (and the name the user gave). */
export async function composeMessageFile(options: ComposeOptions, ctx: Context): Promise<{ readonly path: string; readonly out: string }> {
  if (!ctx.ui.isInteractive) {
    throw usageError('NOT_A_TERMINAL', 'canale compose asks questions, so it needs a terminal; in a script, write a message file (see fixtures/messages/) and use canale preview FILE');
  }
  const data = await (await ctx.store()).read();
  const preset = resolveTopics(data.topics, options.topics);
  const { prompter } = ctx.deps;
  const topics = await prompter.checkbox(
    'Topics (space to choose, enter to confirm)',
    data.topics.map((t) => ({ name: `${t.label} (${t.id})`, value: t.id as string, checked: preset.includes(t.id) })),
    (values) => (values.length > 0 ? true : 'choose at least one topic'),
  );
  const channels = await prompter.checkbox<Channel>(
    'Channels',
    [
      { name: 'WhatsApp', value: 'whatsapp', checked: true },
      { name: 'E-mail', value: 'email', checked: true },
    ],
    (values) => (values.length > 0 ? true : 'choose at least one channel'),
  );
  const subject = channels.includes('email')
    ? (await prompter.input('E-mail subject', { validate: (v) => (v.trim() === '' ? 'an e-mail needs a subject' : /[\r\n]/.test(v) ? 'one line only' : true) })).trim()
    : undefined;
  const body = await prompter.editor('Message text (Markdown; {{nome}} and other placeholders allowed)', 'Ciao {{nome | "cittadina, cittadino"}},\n\n', required('the message'));
  let whatsapp: ComposeAnswers['whatsapp'];
  if (channels.includes('whatsapp')) {
    const approved = syncedTemplates(data).filter((t) => t.status === 'APPROVED');
    const choice = await prompter.select('WhatsApp: send with an approved template, or as free text?', [
      { name: 'Free text (reaches only citizens who wrote in the last 24 hours)', value: FREE_TEXT },
      ...approved.map((t) => ({ name: `${t.name} (${t.language}, ${t.category.toLowerCase()})`, value: `${t.name}\u0000${t.language}`, description: t.body })),
    ]);
    const template = approved.find((t) => `${t.name}\u0000${t.language}` === choice);
    if (template !== undefined) whatsapp = { template: template.name, language: template.language, params: await askParams(ctx, template) };
  }
  const answers: ComposeAnswers = { topics, channels, body, ...(subject === undefined ? {} : { subject }), ...(whatsapp === undefined ? {} : { whatsapp }) };
  const text = buildMessageFile(answers);
  const compiled = compileMessage(parseMessageFile(text, 'the new message'), { topics: data.topics, knownFields: knownFields(data.subscribers), templates: syncedTemplates(data) });
  if (!compiled.ok) throw new CanaleError('MESSAGE_INVALID', `the message is not ready: ${compiled.problems.join('; ')}`);
  const suggested = `messaggio-${ctx.now().slice(0, 10)}-${topics[0] ?? 'avviso'}.md`;
  const out = options.out ?? (await prompter.input('Save the message as', { default: suggested, validate: required('a file name') }));
  const path = resolve(ctx.deps.cwd, out);
  if ((await exists(path)) && !(await prompter.confirm(`${out} exists. Replace it?`, false))) {
    throw new CanaleError('CANCELLED', `kept the existing ${out} — nothing was written`);
  }
  await writeFileAtomic(path, text);
  ctx.ui.success(`wrote ${out}`);
  return { path, out };
}

export function registerCompose(program: Command, app: App): void {
  withExamples(
    program
      .command('compose')
      .description('write a message file step by step: topics, channels, subject, text, WhatsApp template (needs a terminal)')
      .option('--topic <topic>', 'start with this topic chosen (repeatable)', collect)
      .option('--out <file>', 'where to save the message file'),
    ['canale compose', 'canale compose --topic cantieri --out lavori.md'],
  ).action(app.action(async (flags: { topic?: string[]; out?: string }, ctx: Context) => runCompose(parseCompose(flags), ctx)));
}
