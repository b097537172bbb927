import { readFile } from 'node:fs/promises';
import type { Adapter } from 'lowdb';
import { CanaleError } from '../../core/errors.js';
import type { StoreScan, SubscriberVisitor } from '../../core/ports.js';
import { STORE_SECTIONS, subscriberValidator, validateStore, validateTopics, type StoreData } from '../../core/store-data.js';
import type { Topic } from '../../core/topic.js';
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

/** What `read` gives, or null when the file does not exist. */
async function orMissing<T>(read: () => Promise<T>): Promise<T | null> {
  try {
    return await read();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/**
 * db.json as lowdb sees it. One record per line (readable, diffable, and a parse error names a useful line),
 * read line by line and written in chunks, so a large store is never one giant string in memory.
 */
export class StoreFile implements Adapter<StoreData> {
  constructor(private readonly path: string) {}

  async read(): Promise<StoreData | null> {
    const json = await orMissing(async () => (await readStoreLines(this.path)) ?? (await this.readWhole()));
    return json === null ? null : validateStore(json, this.path);
  }

  /** The topics, reading the file only as far as them; null when there is no file. */
  async topics(): Promise<Topic[] | null> {
    const json = await orMissing(async () => (await readStoreLines(this.path, { until: 'topics' })) ?? (await this.readWhole()));
    return json === null ? null : validateTopics(json, this.path);
  }

  /** Each subscriber to a visitor as it is read (see `Store.scan`); null when there is no file. */
  async scan(begin: () => SubscriberVisitor): Promise<StoreScan | null> {
    const isSubscriber = subscriberValidator(this.path);
    let visit = begin();
    let visited = 0;
    const onRecord = (record: unknown, index: number): void => {
      if (isSubscriber(record, index)) visit(record, index);
      visited++;
    };
    const streamed = await orMissing(() => readStoreLines(this.path, { subscriber: onRecord }));
    if (streamed === null) return null;
    let data: StoreData;
    if (streamed === undefined) {
      // not in canale's layout (edited by hand): read whole, then visited from the start by a fresh visitor
      data = validateStore(await this.readWhole(), this.path);
      if (visited > 0) visit = begin();
      data.subscribers.forEach((s, i) => visit(s, i));
      visited = data.subscribers.length;
    } else data = validateStore(streamed, this.path);
    const { subscribers: _none, ...rest } = data;
    return { ...rest, subscriberCount: visited };
  }

  private async readWhole(): Promise<unknown> {
    return parseJson(await readFile(this.path, 'utf8'), this.path);
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
