import { z } from 'zod';
import type { Channel } from '../subscriber.js';

/** A WhatsApp template use: which approved template, in which language, with which parameter texts. */
export interface TemplateUse {
  readonly template: string;
  readonly language: string;
  /** Positional (`["{{nome}}", "via Nazionale"]`) or named (`{ nome: "{{nome}}" }`), each a text with placeholders. */
  readonly params: readonly string[] | Readonly<Record<string, string>>;
}

/** A message file after loading: front matter plus the Markdown body (DESIGN §6). */
export interface MessageSpec {
  /** Where it came from, for messages: a file path, or `--text`. */
  readonly source: string;
  readonly topics: readonly string[];
  readonly subject?: string;
  readonly channels?: readonly Channel[];
  readonly whatsapp?: TemplateUse;
  readonly body: string;
}

const text = z.string().trim().min(1, 'must not be empty');
const param = z.union([z.string(), z.number()]).transform(String);

/** The front matter's schema: unknown keys and wrong types are errors, reported with their line by the loader. */
export const frontMatterSchema = z.strictObject({
  topics: z.union([text.transform((t) => [t]), z.array(text)]).default([]),
  subject: text.optional(),
  channels: z.array(z.enum(['whatsapp', 'email'])).min(1).optional(),
  whatsapp: z
    .strictObject({
      template: text,
      language: text.default('it'),
      params: z.union([z.array(param), z.record(z.string().regex(/^[a-z_][a-z0-9_]*$/, 'named parameters are lower-case letters, digits and _'), param)]).default([]),
    })
    .optional(),
});

export type FrontMatter = z.output<typeof frontMatterSchema>;

/** Where a message given on the command line comes from: `--text`. */
export const INLINE_TEXT = '--text';

/**
 * A message from `--text`: no front matter, the text is the body. Without a subject it has no e-mail version, so
 * a send can say that its e-mail recipients need `--subject` (rather than blame the text).
 */
export function textMessage(body: string, topics: readonly string[], subject?: string): MessageSpec {
  return { source: INLINE_TEXT, topics, body, ...(subject === undefined ? { channels: ['whatsapp'] } : { subject }) };
}
