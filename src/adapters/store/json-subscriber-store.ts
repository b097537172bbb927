import { stat } from 'node:fs/promises';
import type { BookHints, ScanCount, SubscriberKey, SubscriberStore, SubscriberTransaction, SubscriberVisitor, Survey } from '../../core/ports.js';
import { emptyStore, type StoreData } from '../../core/store-data.js';
import { subscriberValidator } from './store-schema.js';
import { SubscriberBook } from '../../core/subscriber-book.js';
import type { Subscriber } from '../../core/subscriber.js';
import { matchSubscriber, type SubscriberFilter } from '../../core/subscriber-filter.js';
import type { Template } from '../../core/template.js';
import type { Topic } from '../../core/topic.js';
import { removeStaleTemporaryFiles } from '../fs/atomic-file.js';
import { withFileLock, type LockOwner } from '../fs/file-lock.js';
import { appendChange, applyChanges, identityOfPath, readChangeLog, removeChangeLog, type LogChanges } from './change-log.js';
import { IndexedFile } from './indexed-file.js';
import { IndexedTransaction } from './indexed-transaction.js';
import { startIndexTable } from './index-table.js';
import { KeyHashList, keyHashes, StoreIndex, writeIndex, type StoreLayoutMarks } from './store-index.js';
import { readLayoutSync } from './store-layout.js';
import { serializeStore, StoreFile } from './store-file.js';
import { surveyByScan } from './survey.js';
import { writeFileAtomic, type WritePosition } from '../fs/atomic-file.js';

export interface JsonSubscriberStoreOptions {
  /** How long a transaction waits for another canale's lock before BUSY. */
  readonly lockWaitMs?: number;
  /** This process (Deps.processes): a lock left by a canale of this machine that is gone is taken over at once. */
  readonly owner?: LockOwner;
}

/** Below this a log is never folded: appending stays cheaper than rewriting even a small store. */
export const FOLD_MIN_BYTES = 64 * 1024;
/** The log is read whole by every operation: past this (or an eighth of db.json, if less) it is folded. */
export const FOLD_MAX_BYTES = 8 * 1024 * 1024;
/** A transaction changing more subscribers than this writes a new db.json rather than a log record. */
export const BULK_CHANGES = 2_000;

/** Writes the whole store to a new db.json, then its index, then removes the log it folded (DESIGN §5). */
export async function writeIndexedStore(path: string, data: StoreData): Promise<void> {
  const marks: StoreLayoutMarks = { offsets: [], templatesAt: -1 };
  // the keys are placed in the index's table (by another thread, for a big store) while db.json is written
  const table = startIndexTable(keyHashes(data.subscribers), { again: () => keyHashes(data.subscribers) });
  const position: WritePosition = { bytes: 0 };
  await writeFileAtomic(path, serializeStore(data, marks, position), position);
  // a crash here leaves an index of the db.json before: it names that file, so it is never used for this one
  const base = identityOfPath(path) ?? '';
  await writeIndex(path, table, marks, base);
  await removeChangeLog(path);
}

/**
 * The SubscriberStore port over db.json (lowdb's format, one record per line), its change log and its index. Reads
 * take no lock: db.json is replaced atomically and its log only grows, so a reader sees one version. Transactions
 * run under a lock shared by every canale process. A small one reads only whom it touches (the index) and appends
 * what it changed to the log, flushed before it returns; removing someone (forget: nothing of them may stay in a
 * file), changing topics or templates, a change of thousands (an import) or a log past its share write a new
 * db.json and index instead. A db.json without its index (an older canale's, a hand edit) gets one at the next
 * transaction, or is rewritten when it is not in canale's layout.
 */
export class JsonSubscriberStore implements SubscriberStore {
  constructor(
    private readonly path: string,
    private readonly options: JsonSubscriberStoreOptions = {},
  ) {}

  async find(key: SubscriberKey): Promise<Subscriber | undefined> {
    const index = StoreIndex.open(this.path);
    if (index === undefined) return this.findByScan(key);
    try {
      const log = (await readChangeLog(this.path, index.base))?.changes ?? new Map<string, Subscriber | null>();
      const tx = new IndexedTransaction(new IndexedFile(this.path, index), log, []);
      if ('id' in key) return tx.findById(key.id);
      if ('email' in key) return tx.findByEmail(key.email);
      return tx.find('phone' in key ? { phone: key.phone as never } : { userId: key.userId });
    } finally {
      index.close();
    }
  }

  async scan(filter: SubscriberFilter | undefined, visitor: SubscriberVisitor): Promise<ScanCount> {
    const matches = filter === undefined ? () => true : matchSubscriber(filter);
    let matched = 0;
    // a hand-edited file read again from its start gives the same subscribers again: those already seen are skipped
    let seen = 0;
    const scanned = await new StoreFile(this.path).scan(() => (s, i) => {
      if (i < seen) return;
      seen = i + 1;
      if (!matches(s)) return;
      matched++;
      visitor(s, i);
    });
    return { total: scanned?.subscriberCount ?? 0, matched };
  }

  survey(filter: SubscriberFilter | undefined, visitor: SubscriberVisitor): Promise<Survey> {
    return surveyByScan((visit) => this.scan(undefined, visit), filter, visitor);
  }

  async count(filter?: SubscriberFilter): Promise<number> {
    return (await this.scan(filter, () => undefined)).matched;
  }

  async topics(): Promise<Topic[]> {
    return (await new StoreFile(this.path).topics()) ?? emptyStore().topics;
  }

  async templates(): Promise<Template[]> {
    const index = StoreIndex.open(this.path);
    if (index === undefined) return (await new StoreFile(this.path).read())?.templates ?? [];
    try {
      return [...new IndexedTransaction(new IndexedFile(this.path, index), new Map(), []).templates()];
    } finally {
      index.close();
    }
  }

  transaction<T>(hints: BookHints, work: (tx: SubscriberTransaction) => T): Promise<T> {
    const { lockWaitMs = 20_000, owner } = this.options;
    return withFileLock(this.path, { waitMs: lockWaitMs, ...(owner === undefined ? {} : { owner }) }, async ({ assertHeld, takenAtMs }) => {
      // copies of the whole store left by writes that were killed (everyone's data): older than this lock, so not a live writer's
      await removeStaleTemporaryFiles(this.path, takenAtMs);
      // a bulk change (an import) reads everyone once and writes a new db.json anyway: the index would only slow it
      const index = hints.bulk === true ? undefined : await this.indexUnderLock();
      if (index === undefined) return this.wholeTransaction(hints, work, assertHeld);
      try {
        const logState = await readChangeLog(this.path, index.base);
        const tx = new IndexedTransaction(new IndexedFile(this.path, index), logState?.changes ?? new Map(), await this.topics());
        const result = work(tx);
        const { subscribers, removed, sections } = tx.changes();
        if (subscribers.size === 0 && !sections) return result;
        assertHeld();
        if (removed === 0 && !sections && subscribers.size <= BULK_CHANGES) {
          const size = (await stat(this.path)).size;
          const log = await appendChange(this.path, index.base, logState, tx.changed(), []);
          if (log.end <= Math.max(FOLD_MIN_BYTES, Math.min(FOLD_MAX_BYTES, size / 8))) return result;
        }
        await this.fold(subscribers, sections ? { topics: [...tx.topics()], templates: [...tx.templates()] } : undefined);
        return result;
      } finally {
        index.close();
      }
    });
  }

  /** The index of db.json as it is now, made from the file when it has none (under the lock); undefined when it cannot be. */
  private async indexUnderLock(): Promise<StoreIndex | undefined> {
    const index = StoreIndex.open(this.path);
    if (index !== undefined) return index;
    const exists = await stat(this.path).then(() => true, () => false);
    if (!exists) return undefined;
    // the keys of everyone, not their records: a million keys lists, not a million subscribers, in memory
    const keys = new KeyHashList();
    const isSubscriber = subscriberValidator(this.path);
    let n = 0;
    const layout = readLayoutSync(this.path, (record, _offset) => {
      if (isSubscriber(record, n)) keys.add(record, n++);
    });
    if (layout === undefined) return undefined;
    await writeIndex(this.path, startIndexTable(keys), layout.marks, layout.base);
    return StoreIndex.open(this.path);
  }

  /**
   * A transaction on the whole store in memory, written whole with its index: for a bulk change, and for a db.json
   * not in canale's layout (or none).
   */
  private async wholeTransaction<T>(hints: BookHints, work: (tx: SubscriberTransaction) => T, assertHeld: () => void): Promise<T> {
    const snapshot = await new StoreFile(this.path).snapshot();
    const data = snapshot?.data ?? emptyStore();
    // the book's key indexes (a bulk import's: millions of keys) are not kept while the store is written
    const result = work(new SubscriberBook(data, hints));
    assertHeld();
    await writeIndexedStore(this.path, data);
    return result;
  }

  /** db.json with its log and these changes, written whole (a fold). */
  private async fold(changes: LogChanges, sections?: Pick<StoreData, 'topics' | 'templates'>): Promise<void> {
    const data = (await new StoreFile(this.path).snapshot())?.data ?? emptyStore();
    data.subscribers = await applyChanges(data.subscribers, changes);
    if (sections !== undefined) {
      data.topics = sections.topics;
      data.templates = sections.templates;
    }
    await writeIndexedStore(this.path, data);
  }

  private async findByScan(key: SubscriberKey): Promise<Subscriber | undefined> {
    const data = (await new StoreFile(this.path).read()) ?? emptyStore();
    const book = new SubscriberBook(data);
    if ('id' in key) return book.findById(key.id);
    if ('email' in key) return book.findByEmail(key.email);
    return book.find('phone' in key ? { phone: key.phone as never } : { userId: key.userId });
  }
}
