import { writeFileAtomic } from '../adapters/fs/atomic-file.js';
import { parseMessageFile } from '../adapters/message/message-file.js';
import { CanaleError, isCanaleError, usageError } from '../core/errors.js';
import { compileMessage } from '../core/message/compile.js';
import type { Channel } from '../core/subscriber.js';
import { resolveTopics, type TopicId } from '../core/topic.js';
import type { Context } from './context.js';
import { checkOutputFile } from './output-file.js';
import { storeKnownFields, syncedTemplates } from './message-context.js';
import { askWhatsApp } from './compose-ask-whatsapp.js';
import { buildMessageFile, type ComposeAnswers } from './compose-build-message.js';

export interface ComposeOptions {
  readonly topics: readonly string[];
  readonly out?: string;
  /** Replace an existing --out file without asking. */
  readonly force?: boolean;
}

const required = (what: string) => (value: string) => (value.trim() === '' ? `${what} cannot be empty` : true);

/** Asks the wizard's questions and writes the message file; returns its path (and the name the user gave). */
export async function composeMessageFile(options: ComposeOptions, ctx: Context): Promise<{ readonly path: string; readonly out: string }> {
  if (!ctx.ui.isInteractive) {
    throw usageError('NOT_A_TERMINAL', 'canale compose asks questions, so it needs a terminal; in a script, write a message file (see fixtures/messages/) and use canale preview FILE');
  }
  // a --out given is checked before the questions, so no answers are lost to a refused file
  const given = options.out === undefined ? undefined : await checkOutputFile(ctx, options.out, '--out', options.force === true);
  const { subscribers } = await ctx.ports();
  const data = { topics: await subscribers.topics(), templates: await subscribers.templates() };
  const fields = await storeKnownFields(subscribers);
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
  const whatsapp = channels.includes('whatsapp') ? await askWhatsApp(ctx, syncedTemplates(data), topics as TopicId[], fields) : undefined;
  const subject = channels.includes('email')
    ? (await prompter.input('E-mail subject', { validate: (v) => (v.trim() === '' ? 'an e-mail needs a subject' : /[\r\n]/.test(v) ? 'one line only' : true) })).trim()
    : undefined;
  // a WhatsApp template carries its own text: the body is needed only for e-mail or free text
  const body =
    subject !== undefined || whatsapp === undefined
      ? await prompter.editor(`${whatsapp === undefined ? 'Message' : 'E-mail'} text (Markdown; {{nome}} and other placeholders allowed)`, 'Ciao {{nome | "cittadina, cittadino"}},\n\n', required('the message'))
      : '';
  const answers: ComposeAnswers = { topics, channels, body, ...(subject === undefined ? {} : { subject }), ...(whatsapp === undefined ? {} : { whatsapp }) };
  const text = buildMessageFile(answers);
  const compiled = compileMessage(parseMessageFile(text, 'the new message'), { topics: data.topics, knownFields: fields, templates: syncedTemplates(data) });
  if (!compiled.ok) throw new CanaleError('MESSAGE_INVALID', `the message is not ready: ${compiled.problems.join('; ')}`);
  const suggested = `messaggio-${ctx.now().slice(0, 10)}-${topics[0] ?? 'avviso'}.md`;
  let out = options.out ?? '';
  let path = given;
  while (path === undefined) {
    out = await prompter.input('Save the message as', { default: suggested, validate: required('a file name') });
    try {
      path = await checkOutputFile(ctx, out, 'the message file', false);
    } catch (error) {
      // a name canale refuses (inside its home, a folder) or a file the person keeps: the name is asked again
      if (!isCanaleError(error) || (error.exit !== 'usage' && error.code !== 'CANCELLED')) throw error;
      if (error.exit === 'usage') ctx.ui.warn(error.message);
    }
  }
  await writeFileAtomic(path, text);
  ctx.ui.success(`wrote ${out}`);
  return { path, out };
}

