import { open, readFile, type FileHandle } from 'node:fs/promises';
import type { Adapter } from 'lowdb';
import { CanaleError } from '../../core/errors.js';
import type { SubscriberVisitor } from '../../core/ports.js';
import { STORE_SECTIONS, subscriberValidator, validateStore, validateTopics, type StoreData } from './store-schema.js';
import type { Topic } from '../../core/topic.js';
import { writeFileAtomic, type WritePosition } from '../fs/atomic-file.js';
import { applyChanges, identityOfFd, identityOfPath, readChangeLog, removeChangeLog, type LogState } from './change-log.js';
import type { StoreLayoutMarks } from './store-index.js';
import { serializeMarked } from './store-layout.js';
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

/** What a scan leaves: the store without its subscribers, and how many there were. */
export type StoreScan = Omit<StoreData, 'subscribers'> & { readonly subscriberCount: number };

/** One version of the store as read: db.json (its identity and size) with its change log applied. */
export interface StoreSnapshot {
  readonly data: StoreData;
  /** db.json's identity (change-log.ts), which its log names. */
  readonly base: string;
  readonly size: number;
  /** The log as read, or undefined when db.json has none. */
  readonly log: LogState | undefined;
}

/** Reads of db.json that look for a log this many times before taking the file as it is (each retry: it was replaced meanwhile). */
const SNAPSHOT_TRIES = 10;

/**
 * db.json as lowdb sees it, with its change log. One record per line (readable, diffable, and a parse error names a
 * useful line), read line by line and written in chunks, so a large store is never one giant string in memory.
 * Every read applies the log; a write (the whole store) replaces db.json and then removes the log it holds.
 */
export class StoreFile implements Adapter<StoreData> {
  constructor(private readonly path: string) {}

  async read(): Promise<StoreData | null> {
    return (await this.snapshot())?.data ?? null;
  }

  /** The store as it is now, with where its log ends (for a change appended under the lock); null when there is no file. */
  async snapshot(): Promise<StoreSnapshot | null> {
    return this.opened(async (handle, base, size, log) => {
      const json = (await readStoreLines(this.path, {}, handle)) ?? (await this.readWhole(handle));
      const data = validateStore(json, this.path);
      if (log !== undefined) data.subscribers = await applyChanges(data.subscribers, log.changes);
      return { data, base, size, log };
    });
  }

  /** The topics, reading the file only as far as them (the log holds subscribers only); null when there is no file. */
  async topics(): Promise<Topic[] | null> {
    const json = await orMissing(async () => (await readStoreLines(this.path, { until: 'topics' })) ?? parseJson(await readFile(this.path, 'utf8'), this.path));
    return json === null ? null : validateTopics(json, this.path);
  }

  /** Each subscriber to a visitor as it is read, the log's changes in their place (see `Store.scan`); null when there is no file. */
  async scan(begin: () => SubscriberVisitor): Promise<StoreScan | null> {
    return this.opened(async (handle, _base, _size, log) => {
      const isSubscriber = subscriberValidator(this.path);
      const changes = log?.changes;
      const seen = new Set<string>();
      let visit = begin();
      let visited = 0;
      const onRecord = (record: unknown, index: number): void => {
        if (!isSubscriber(record, index)) return;
        const now = changes?.get(record.id);
        if (now === undefined) visit(record, visited++);
        else {
          seen.add(record.id);
          if (now !== null) visit(now, visited++);
        }
      };
      const streamed = await readStoreLines(this.path, { subscriber: onRecord }, handle);
      let data: StoreData;
      if (streamed === undefined) {
        // not in canale's layout (edited by hand): read whole, then visited from the start by a fresh visitor
        data = validateStore(await this.readWhole(handle), this.path);
        if (visited > 0) visit = begin();
        data.subscribers = changes === undefined ? data.subscribers : await applyChanges(data.subscribers, changes);
        data.subscribers.forEach((s, i) => visit(s, i));
        visited = data.subscribers.length;
      } else {
        data = validateStore(streamed, this.path);
        for (const [id, now] of changes ?? []) if (now !== null && !seen.has(id)) visit(now, visited++);
      }
      const { subscribers: _none, ...rest } = data;
      return { ...rest, subscriberCount: visited };
    });
  }

  /**
   * Opens db.json and finds its log, then reads through the open file, so what is read is one version with its own
   * log. No log for it, and db.json no longer the file opened: it was replaced meanwhile, and is opened again.
   */
  private async opened<T>(use: (handle: FileHandle, base: string, size: number, log: LogState | undefined) => Promise<T>): Promise<T | null> {
    for (let attempt = 1; ; attempt++) {
      const handle = await orMissing(() => open(this.path, 'r'));
      if (handle === null) return null;
      try {
        const stats = await handle.stat({ bigint: true });
        const base = identityOfFd(handle.fd);
        const log = await readChangeLog(this.path, base);
        if (log === undefined && attempt < SNAPSHOT_TRIES) {
          const now = identityOfPath(this.path);
          if (now !== base) continue;
        }
        return await use(handle, base, Number(stats.size), log);
      } finally {
        await handle.close();
      }
    }
  }

  private async readWhole(handle: FileHandle): Promise<unknown> {
    return parseJson(await handle.readFile('utf8'), this.path);
  }

  /** The whole store to a new db.json (a fold of the log, if any), then the log removed: a crash between leaves a log naming the old file. */
  async write(data: StoreData): Promise<void> {
    // writeFileAtomic gives it a later mtime than the db.json it replaces: a log left for that one never applies to it
    await writeFileAtomic(this.path, serializeStore(data));
    await removeChangeLog(this.path);
  }
}

/** db.json's text, in pieces (serializeMarked), sections in STORE_SECTIONS order. */
export function serializeStore(data: StoreData, marks?: StoreLayoutMarks, position?: WritePosition): Generator<string> {
  return serializeMarked(data, STORE_SECTIONS, marks, position);
}
