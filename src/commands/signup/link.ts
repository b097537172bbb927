import type { Command } from 'commander';
import { internationalFormat } from '../../core/phone.js';
import { withExamples, type App } from '../app.js';
import type { Context } from '../context.js';
import { signupLinkFor, TOPIC_OPTION_HELP } from './signup-target.js';

export interface SignupLinkOptions {
  /** The topic the link joins, by id or label; none: the citizen is answered with the topic list. */
  readonly topic?: string;
  readonly json: boolean;
}

export function parseSignupLink(raw: { topic?: string; json?: boolean }): SignupLinkOptions {
  return { ...(raw.topic === undefined ? {} : { topic: raw.topic }), json: raw.json === true };
}

/** Prints the click-to-chat link (data, on stdout); what it does, for a person, on stderr. */
export async function runSignupLink(options: SignupLinkOptions, ctx: Context): Promise<void> {
  const link = await signupLinkFor(ctx, options.topic);
  if (options.json) {
    ctx.ui.json({ url: link.url, text: link.text, ...(link.topic === undefined ? {} : { topic: link.topic.id }), number: link.number });
    return;
  }
  ctx.ui.out(link.url);
  ctx.ui.info(`opens WhatsApp with "${link.text}" ready to send to ${internationalFormat(link.number)}${link.topic === undefined ? ': the answer lists the topics' : ''}`);
}

export function registerSignupLink(signup: Command, app: App): void {
  withExamples(
    signup
      .command('link')
      .description("print the link that opens WhatsApp with the sign-up message ready to send to the city's number")
      .option('--topic <topic>', TOPIC_OPTION_HELP)
      .option('--json', 'print JSON: url, text, topic, number'),
    ['canale signup link', 'canale signup link --topic cantieri', 'canale signup link --topic "Raccolta differenziata" --json'],
  ).action(app.action(async (raw: Parameters<typeof parseSignupLink>[0], ctx: Context) => runSignupLink(parseSignupLink(raw), ctx)));
}
