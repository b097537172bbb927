import { readFile } from 'node:fs/promises';
import { LineCounter, parseDocument, isNode } from 'yaml';
import type { z } from 'zod';
import { CanaleError } from '../../core/errors.js';
import { frontMatterSchema, type MessageSpec } from '../../core/message/message-spec.js';

const FENCE = /^---[ \t]*\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/;

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
    source = await readFile(path, 'utf8');
  } catch (error) {
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
  const parsed = frontMatterSchema.safeParse(doc.toJS() ?? {});
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
  const body = source.slice(fence[0].length).replace(/^\s*\n/, '').trimEnd();
  return {
    source: path,
    topics: front.topics,
    ...(front.subject === undefined ? {} : { subject: front.subject }),
    ...(front.channels === undefined ? {} : { channels: front.channels }),
    ...(front.whatsapp === undefined ? {} : { whatsapp: front.whatsapp }),
    body,
  };
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
