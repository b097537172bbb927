import { z } from 'zod';
import type { Channel } from '../subscriber.js';

/** The media a template header can carry. */
export type HeaderMediaKind = 'image' | 'video' | 'document';

export const HEADER_MEDIA_KINDS: readonly HeaderMediaKind[] = ['image', 'video', 'document'];

/** Where WhatsApp takes a header's media from: a link it fetches, or a file uploaded to it before (its media id). */
export type MediaSource = { readonly link: string } | { readonly id: string };

/**
 * What a message puts in its template's header: the text header's parameter texts (placeholders allowed), or the
 * media file of an image, video or document header (the same for every recipient; a document may be given its name).
 */
export type HeaderUse =
  | { readonly kind: 'text'; readonly params: readonly string[] }
  | { readonly kind: HeaderMediaKind; readonly media: MediaSource; readonly filename?: string };

/** A value for one template button that takes one: a URL button's suffix, or a quick reply's payload (placeholders allowed). */
export type ButtonUse = { readonly url: string } | { readonly payload: string };

/** A WhatsApp template use: which approved template, in which language, with which parameter texts. */
export interface TemplateUse {
  readonly template: string;
  readonly language: string;
  /** Positional (`["{{nome}}", "via Nazionale"]`) or named (`{ nome: "{{nome}}" }`), each a text with placeholders. */
  readonly params: readonly string[] | Readonly<Record<string, string>>;
  readonly header?: HeaderUse;
  /** One entry per button that takes a value, in the template's order: URL buttons with a variable, quick replies. */
  readonly buttons?: readonly ButtonUse[];
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

const MEDIA_HINT = 'a link ("https://…"), or an uploaded media id ({ id: "…" })';

/** A media written as a link, `{ link }` (Meta's own form) or `{ id }`; undefined when it is none of them. */
function mediaSourceOf(value: unknown): MediaSource | undefined {
  const filled = (v: unknown): v is string => typeof v === 'string' && v.trim() !== '';
  if (filled(value)) return { link: value.trim() };
  if (typeof value !== 'object' || value === null || Array.isArray(value) || Object.keys(value).length !== 1) return undefined;
  const { link, id } = value as { link?: unknown; id?: unknown };
  return filled(link) ? { link: link.trim() } : filled(id) ? { id: id.trim() } : undefined;
}

/**
 * `{ image: … }`, `{ video: … }` or `{ document: …, filename? }`: exactly one kind, a file name only for a document.
 * The media are read here rather than by a zod union, whose error would hide which key is wrong.
 */
const mediaHeader = z
  .strictObject({ image: z.unknown().optional(), video: z.unknown().optional(), document: z.unknown().optional(), filename: text.optional() })
  .superRefine((header, ctx) => {
    const kinds = HEADER_MEDIA_KINDS.filter((k) => header[k] !== undefined);
    if (kinds.length !== 1) ctx.addIssue({ code: 'custom', message: `give one of image, video or document, each ${MEDIA_HINT}` });
    else if (mediaSourceOf(header[kinds[0] as HeaderMediaKind]) === undefined) ctx.addIssue({ code: 'custom', path: [kinds[0] as string], message: `must be ${MEDIA_HINT}` });
    else if (header.filename !== undefined && kinds[0] !== 'document') ctx.addIssue({ code: 'custom', path: ['filename'], message: 'only a document header has a file name' });
  });

/** The header as the front matter writes it, as canale reads it: a text header's parameters, or one media file. */
function headerUseOf(header: string[] | z.output<typeof mediaHeader>): HeaderUse {
  if (Array.isArray(header)) return { kind: 'text', params: header };
  const kind = HEADER_MEDIA_KINDS.find((k) => header[k] !== undefined) ?? 'image';
  const media = mediaSourceOf(header[kind]) ?? { link: '' };
  return { kind, media, ...(header.filename === undefined ? {} : { filename: header.filename }) };
}

const headerUse = z
  // no transform inside the union: zod reads a failing transformed option as a wrong type and words the union's
  // error instead of the option's own (an unknown key, a file name on an image)
  .union([z.array(param).min(1, "list the header's parameter texts"), mediaHeader], {
    error: 'a text header\'s parameters as a list (header: ["{{municipio}}"]), or a media header as { image: "https://…" } (or video, document)',
  })
  .transform(headerUseOf);

const buttonUse = z.union([z.strictObject({ url: param }), z.strictObject({ payload: param })], {
  error: 'each button is { url: "…" } (the suffix of a URL button) or { payload: "…" } (a quick reply\'s payload)',
});

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
      header: headerUse.optional(),
      buttons: z.array(buttonUse).min(1, 'list one entry per button that takes a value, or leave buttons out').optional(),
    })
    .optional(),
});

const storedMedia = z.union([z.strictObject({ link: z.string() }), z.strictObject({ id: z.string() })]);

/** A template use as a campaign or a schedule freezes it (the loaded form, not the front matter's). */
export const frozenTemplateUseSchema = z.strictObject({
  template: z.string(),
  language: z.string(),
  params: z.union([z.array(z.string()), z.record(z.string(), z.string())]),
  header: z
    .union([
      z.strictObject({ kind: z.literal('text'), params: z.array(z.string()) }),
      z.strictObject({ kind: z.enum(['image', 'video', 'document']), media: storedMedia, filename: z.string().optional() }),
    ])
    .optional(),
  buttons: z.array(z.union([z.strictObject({ url: z.string() }), z.strictObject({ payload: z.string() })])).optional(),
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
