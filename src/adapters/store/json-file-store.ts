import { stat } from 'node:fs/promises';
import { Low } from 'lowdb';
import type { Store, StoreScan, SubscriberVisitor } from '../../core/ports.js';
import { emptyStore, type StoreData } from '../../core/store-data.js';
import { SubscriberBook, type BookHints } from '../../core/subscriber-book.js';
import type { Topic } from '../../core/topic.js';
import { removeStaleTemporaryFiles } from '../fs/atomic-file.js';
import { withFileLock, type LockOwner } from '../fs/file-lock.js';
import { appendChange, applyChanges, identityOfPath, PAUSE_EVERY, readChangeLog } from './change-log.js';
import { StoreFile, type StoreSnapshot } from './store-file.js';

export interface JsonFileStoreOptions {
  /** How long a write waits for another canale's lock before BUSY. */
  readonly lockWaitMs?: number;
  /** This process (Deps.processes): a lock left by a canale of this machine that is gone is taken over at once. */
  readonly owner?: LockOwner;
  /**
   * Keep the store in memory between changes (a long-running process: the webhook server): each `change` then reads
   * only what the log gained since, unless db.json itself was replaced. One-shot commands read it afresh.
   */
  readonly keep?: boolean;
  /** The log is folded into db.json once it is larger than this share of db.json, and at least FOLD_MIN_BYTES. */
  readonly foldShare?: number;
}

const pause = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Below this a log is never folded: appending stays cheaper than rewriting even a small store. */
export const FOLD_MIN_BYTES = 64 * 1024;
const FOLD_SHARE = 1 / 8;

/**
 * The Store port over db.json with lowdb, built explicitly (no JSONFilePreset), and its change log. Reads need no
 * lock: db.json is replaced atomically and its log only grows, so a reader sees one version. Writes run under a lock
 * shared by all canale processes, so twenty concurrent `subscribers add` leave twenty subscribers; each first removes
 * the temporary copies of db.json that killed writes left behind. `update` rewrites the whole store (folding the log
 * in); `change` appends the few subscribers it changed to the log, and folds it when it has grown past its share.
 */
export class JsonFileStore implements Store {
  private kept: StoreSnapshot | undefined;

  constructor(
    private readonly path: string,
    private readonly options: JsonFileStoreOptions = {},
  ) {}

  async read(): Promise<StoreData> {
    const db = new Low<StoreData>(new StoreFile(this.path), emptyStore());
    await db.read();
    return db.data;
  }

  async topics(): Promise<Topic[]> {
    return (await new StoreFile(this.path).topics()) ?? emptyStore().topics;
  }

  async scan(begin: () => SubscriberVisitor): Promise<StoreScan> {
    const scanned = await new StoreFile(this.path).scan(begin);
    if (scanned !== null) return scanned;
    const { subscribers: _none, ...empty } = emptyStore();
    return { ...empty, subscriberCount: 0 };
  }

  update<T>(change: (data: StoreData) => T): Promise<T> {
    return this.locked(async (assertHeld) => {
      this.kept = undefined;
      const db = new Low<StoreData>(new StoreFile(this.path), emptyStore());
      await db.read();
      const result = change(db.data);
      assertHeld();
      await db.write();
      return result;
    });
  }

  change<T>(hints: BookHints, change: (book: SubscriberBook) => T): Promise<T> {
    return this.locked(async (assertHeld) => {
      const file = new StoreFile(this.path);
      const current = await this.current(file);
      this.kept = undefined;
      // the book may change subscribers only: the rest of the store is not written by a change
      Object.freeze(current.data.topics);
      Object.freeze(current.data.templates);
      // a kept store is the webhook server's: its passes over everyone leave room for the requests between them
      const book = this.options.keep === true ? await SubscriberBook.built(current.data, hints, pause, PAUSE_EVERY) : new SubscriberBook(current.data, hints);
      const result = change(book);
      const put = book.changed();
      assertHeld();
      if (current.base === '') await file.write(current.data);
      else if (put.length > 0) {
        const log = await appendChange(this.path, current.base, current.log, put, []);
        if (log.end > Math.max(FOLD_MIN_BYTES, current.size * (this.options.foldShare ?? FOLD_SHARE))) {
          await file.write(current.data);
          // under the lock nobody else writes db.json: the file just written is the data kept
          const written = await stat(this.path, { bigint: true });
          if (this.options.keep === true) this.kept = { data: current.data, base: identityOfPath(this.path) ?? '', size: Number(written.size), log: undefined };
        } else if (this.options.keep === true) this.kept = { ...current, log };
      } else if (this.options.keep === true) this.kept = current;
      return result;
    });
  }

  /** The store now, under the lock: what is kept plus what the log gained, or read afresh; base '' when there is no file. */
  private async current(file: StoreFile): Promise<StoreSnapshot> {
    const kept = this.kept;
    if (kept !== undefined) {
      const base = identityOfPath(this.path);
      const log = base === kept.base ? await readChangeLog(this.path, base, kept.log) : undefined;
      if (log === undefined && base === kept.base && kept.log === undefined) return kept;
      if (log !== undefined && (log.isContinued || kept.log === undefined)) {
        kept.data.subscribers = await applyChanges(kept.data.subscribers, log.changes, pause);
        return { ...kept, log };
      }
    }
    return (await file.snapshot()) ?? { data: emptyStore(), base: '', size: 0, log: undefined };
  }

  private locked<T>(write: (assertHeld: () => void) => Promise<T>): Promise<T> {
    const { lockWaitMs = 20_000, owner } = this.options;
    return withFileLock(this.path, { waitMs: lockWaitMs, ...(owner === undefined ? {} : { owner }) }, async ({ assertHeld, takenAtMs }) => {
      // copies of the whole store left by writes that were killed (everyone's data): older than this lock, so not a live writer's
      await removeStaleTemporaryFiles(this.path, takenAtMs);
      return write(assertHeld);
    });
  }
}
