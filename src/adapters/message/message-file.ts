import { readFile, stat } from 'node:fs/promises';
import { LineCounter, parseDocument, isNode, visit } from 'yaml';
import type { z } from 'zod';
import { CanaleError } from '../../core/errors.js';
import { frontMatterSchema, type MessageSpec } from '../../core/message/message-spec.js';

const FENCE = /^---[ \t]*\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/;

/** A message's body: far above what WhatsApp (4,096 characters) or an e-mail needs, far below what hangs the reader. */
export const MAX_BODY_LENGTH = 1_000_000;
/** Bold and italic markers (`*`, `_`): the Markdown reader slows with the square of them in one paragraph. */
const MAX_MARKERS_PER_PARAGRAPH = 500;
const MAX_MARKERS = 20_000;
/** A file this large is not read at all: a message file is a few kilobytes of text. */
const MAX_FILE_BYTES = 16 * 1024 * 1024;
/** YAML aliases resolved in the front matter (none is needed): past this, a "billion laughs" file is refused. */
const MAX_ALIAS_COUNT = 100;

function problem(path: string, line: number | undefined, what: string): CanaleError {
  return new CanaleError('MESSAGE_INVALID', `${path}${line === undefined ? '' : `:${line}`}: ${what}`);
}

/**
 * Reads a message file: YAML front matter between `---` lines, then the Markdown body. Bad YAML, unknown keys and
 * wrong types are reported with the file and the line (`lavori.md:4: whatsapp.params: …`).
 */
export async function loadMessageFile(path: string): Promise<MessageSpec> {
  let source: string;
  try {
    const { size } = await stat(path);
    if (size > MAX_FILE_BYTES) {
      throw problem(path, undefined, `the file is ${(size / 1e6).toFixed(1)} MB — a message file is a few kilobytes of text (canale reads at most ${MAX_FILE_BYTES / (1024 * 1024)} MB): is this the right file?`);
    }
    source = await readFile(path, 'utf8');
  } catch (error) {
    if (error instanceof CanaleError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new CanaleError('MESSAGE_UNREADABLE', `cannot read the message file ${path}${code === 'ENOENT' ? ': no such file' : ` (${code ?? 'error'})`}`);
  }
  return parseMessageFile(source.replace(/^\uFEFF/, ''), path);
}

export function parseMessageFile(source: string, path: string): MessageSpec {
  const fence = FENCE.exec(source);
  if (fence === null) {
    throw problem(path, 1, 'a message file starts with front matter between two "---" lines (topics, subject, whatsapp) — see fixtures/ for examples');
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(fence[1] ?? '', { lineCounter, prettyErrors: false, uniqueKeys: true });
  // the YAML starts on line 2 of the file, after the opening ---
  const lineOf = (offset: number | undefined) => (offset === undefined ? undefined : lineCounter.linePos(offset).line + 1);
  const [yamlError] = doc.errors;
  if (yamlError !== undefined) {
    throw problem(path, lineOf(yamlError.pos[0]), `bad YAML in the front matter: ${yamlError.message.split('\n')[0]}`);
  }
  const parsed = frontMatterSchema.safeParse(frontMatterValue(doc, path, lineOf) ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0] as z.core.$ZodIssue;
    const keys = issue.code === 'unrecognized_keys' ? issue.keys : [];
    const at = [...issue.path, ...keys.slice(0, 1)].map((p) => (typeof p === 'symbol' ? String(p) : p));
    const node = doc.getIn(at, true);
    const line = lineOf(isNode(node) ? node.range?.[0] : undefined) ?? lineOf(keyOffset(doc, at));
    const name = at.join('.') || 'front matter';
    const what = issue.code === 'unrecognized_keys' ? `unknown key "${keys.join('", "')}"` : issue.message;
    throw problem(path, line, `${name}: ${what}`);
  }
  const front = parsed.data;
  const rest = source.slice(fence[0].length);
  const blank = /^\s*\n/.exec(rest)?.[0] ?? '';
  const body = rest.slice(blank.length).trimEnd();
  checkBody(path, body, linesIn(fence[0]) + linesIn(blank) + 1);
  return {
    source: path,
    topics: front.topics,
    ...(front.subject === undefined ? {} : { subject: front.subject }),
    ...(front.channels === undefined ? {} : { channels: front.channels }),
    ...(front.whatsapp === undefined ? {} : { whatsapp: front.whatsapp }),
    body,
  };
}

function linesIn(text: string): number {
  return text.match(/\r\n|\r|\n/g)?.length ?? 0;
}

/**
 * Refuses a body the Markdown reader cannot read quickly: over `MAX_BODY_LENGTH` (it overflows its stack on some
 * megabytes), or with more emphasis markers than any message has — its cost grows with the square of the `*` and
 * `_` in one paragraph (60 KB of `_a ` took 2.3 s, 1 MB would take minutes).
 */
function checkBody(path: string, body: string, firstLine: number): void {
  if (body.length > MAX_BODY_LENGTH) {
    throw problem(path, firstLine, `the body is ${body.length} characters, more than a message can be (canale reads at most ${MAX_BODY_LENGTH}; a WhatsApp text holds 4,096) — is this the right file?`);
  }
  let total = 0;
  let line = firstLine;
  for (const paragraph of body.split(/((?:\r?\n|\r)[ \t]*(?:\r?\n|\r)\s*)/)) {
    const markers = paragraph.match(/[*_]/g)?.length ?? 0;
    total += markers;
    if (markers > MAX_MARKERS_PER_PARAGRAPH || total > MAX_MARKERS) {
      const what =
        markers > MAX_MARKERS_PER_PARAGRAPH
          ? `this paragraph has ${markers} * and _ markers, more than canale reads in one (at most ${MAX_MARKERS_PER_PARAGRAPH})`
          : `by this paragraph the body has more * and _ markers than canale reads in a message (at most ${MAX_MARKERS})`;
      throw problem(path, line, `${what} — is this the right file? Bold and italic are for a few words`);
    }
    line += linesIn(paragraph);
  }
}

/**
 * The front matter as plain values, its aliases expanded at most `MAX_ALIAS_COUNT` times: a file whose aliases
 * nest into billions of values (a "billion laughs") is refused at the first alias, rather than filling memory.
 */
function frontMatterValue(doc: ReturnType<typeof parseDocument>, path: string, lineOf: (offset: number | undefined) => number | undefined): unknown {
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    if (!(error instanceof ReferenceError) || !/alias/i.test(error.message)) throw error;
    let first: number | undefined;
    visit(doc, {
      Alias(_key, node) {
        first = node.range?.[0];
        return visit.BREAK;
      },
    });
    throw problem(path, lineOf(first), `the front matter's YAML aliases (*name) expand into too many values — a message file needs no aliases: write the values out`);
  }
}

/** Where a key (rather than its value) starts, for unknown keys: the pair's key node. */
function keyOffset(doc: ReturnType<typeof parseDocument>, path: ReadonlyArray<string | number>): number | undefined {
  const parent = path.length <= 1 ? doc.contents : doc.getIn(path.slice(0, -1), true);
  if (parent === null || typeof parent !== 'object' || !('items' in parent) || !Array.isArray(parent.items)) return undefined;
  for (const pair of parent.items as Array<{ key?: { value?: unknown; range?: [number, number, number] } }>) {
    if (pair.key?.value === path[path.length - 1]) return pair.key?.range?.[0];
  }
  return undefined;
}
