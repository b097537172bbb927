import { readFile } from 'node:fs/promises';
import type { Adapter } from 'lowdb';
import { CanaleError } from '../../core/errors.js';
import { STORE_SECTIONS, validateStore, type StoreData } from '../../core/store-data.js';
import { writeFileAtomic } from '../fs/atomic-file.js';
import { readStoreLines } from './store-lines.js';

/** Line and column of a character offset, for error messages that point into the file. */
function lineAndColumn(text: string, offset: number): string {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return `line ${line}, column ${offset - lineStart + 1}`;
}

function parseJson(text: string, path: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    const position = /position (\d+)/.exec(message);
    const where = position?.[1] === undefined ? '' : ` at ${lineAndColumn(text, Number(position[1]))}`;
    const reason = message.replace(/ in JSON at position \d+.*$/s, '').replace(/^JSON\.parse: /, '');
    throw new CanaleError(
      'STORE_DAMAGED',
      `${path} is damaged: not valid JSON${where} (${reason}) — canale will not overwrite it; fix it by hand or restore a backup`,
    );
  }
}

/**
 * db.json as lowdb sees it. One record per line (readable, diffable, and a parse error names a useful line),
 * read line by line and written in chunks, so a large store is never one giant string in memory.
 */
export class StoreFile implements Adapter<StoreData> {
  constructor(private readonly path: string) {}

  async read(): Promise<StoreData | null> {
    let json: unknown;
    try {
      json = (await readStoreLines(this.path)) ?? parseJson(await readFile(this.path, 'utf8'), this.path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
    return validateStore(json, this.path);
  }

  async write(data: StoreData): Promise<void> {
    await writeFileAtomic(this.path, serializeStore(data));
  }
}

/** `{"version":1,⏎"topics":[⏎{…},⏎{…}⏎],⏎"subscribers":[⏎{…}⏎]}`, yielded in pieces, sections in STORE_SECTIONS order. */
export function* serializeStore(data: StoreData): Generator<string> {
  yield `{"version":${JSON.stringify(data.version)}`;
  for (const [i, name] of STORE_SECTIONS.entries()) {
    yield `,\n"${name}":[`;
    yield* records(data[name]);
    yield i === STORE_SECTIONS.length - 1 ? ']}\n' : ']';
  }
}

function* records(items: readonly unknown[]): Generator<string> {
  for (let i = 0; i < items.length; i++) {
    yield `${i === 0 ? '\n' : ',\n'}${JSON.stringify(items[i])}`;
  }
  if (items.length > 0) yield '\n';
}
