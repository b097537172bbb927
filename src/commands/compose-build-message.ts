import { stringify } from 'yaml';
import type { Channel } from '../core/subscriber.js';

/** What the wizard collected. */
export interface ComposeAnswers {
  readonly topics: readonly string[];
  readonly channels: readonly Channel[];
  readonly subject?: string;
  readonly body: string;
  readonly whatsapp?: { readonly template: string; readonly language: string; readonly params: readonly string[] | Readonly<Record<string, string>> };
}

/** A message file (front matter + Markdown body) that `preview` and `send` read back to the same message. */
export function buildMessageFile(answers: ComposeAnswers): string {
  const front: Record<string, unknown> = { topics: [...answers.topics] };
  if (answers.subject !== undefined) front.subject = answers.subject;
  if (answers.channels.length === 1) front.channels = [...answers.channels];
  if (answers.whatsapp !== undefined) front.whatsapp = { ...answers.whatsapp, params: Array.isArray(answers.whatsapp.params) ? [...answers.whatsapp.params] : { ...answers.whatsapp.params } };
  return `---\n${stringify(front, { lineWidth: 0 })}---\n${answers.body.trim()}\n`;
}
