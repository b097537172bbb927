import type { Command } from 'commander';
import { splitTopicList } from '../../core/topic.js';
import { collect, withExamples, type App } from '../app.js';
import type { Context } from '../context.js';
import { parsePreview, previewMessage } from '../message-preview.js';
import { canaleCommand } from '../../core/shell-quote.js';
import { composeMessageFile, type ComposeOptions } from '../compose-wizard.js';

export type { ComposeOptions } from '../compose-wizard.js';

export function parseCompose(flags: { topic?: string[]; out?: string; force?: boolean }): ComposeOptions {
  return { topics: (flags.topic ?? []).flatMap(splitTopicList), ...(flags.out === undefined ? {} : { out: flags.out }), ...(flags.force === true ? { force: true } : {}) };
}

/**
 * The interactive wizard: topics, channels, WhatsApp template, subject, text; writes a message file and previews
 * it. It suggests `canale send` only for a message a send would take now; otherwise it says what stops it.
 */
export async function runCompose(options: ComposeOptions, ctx: Context): Promise<number> {
  const { out } = await composeMessageFile(options, ctx);
  const preview = await previewMessage(parsePreview(out, {}), ctx);
  if (preview.blockers.length === 0 && preview.recipients > 0) ctx.ui.info(`send it with: ${canaleCommand('send', '--message', out)}`);
  else if (preview.blockers.length === 0) ctx.ui.warn(`${out} is written, but nobody would get it now: no subscriber follows its topics — add some (canale subscribers import FILE), then: ${canaleCommand('send', '--message', out)}`);
  else {
    ctx.ui.warn(`${out} is written, but canale send would not send it now:`);
    for (const blocker of preview.blockers) ctx.ui.warn(`  ${blocker}`);
  }
  return preview.code;
}

export function registerCompose(program: Command, app: App): void {
  withExamples(
    program
      .command('compose')
      .description('write a message file step by step: topics, channels, WhatsApp template, subject, text (needs a terminal)')
      .option('--topic <topic>', 'start with this topic chosen (repeatable)', collect)
      .option('--out <file>', 'where to save the message file (outside the home)')
      .option('--force', 'replace the --out file if it exists without asking'),
    ['canale compose', 'canale compose --topic cantieri --out lavori.md'],
  ).action(app.action(async (flags: { topic?: string[]; out?: string; force?: boolean }, ctx: Context) => runCompose(parseCompose(flags), ctx)));
}
