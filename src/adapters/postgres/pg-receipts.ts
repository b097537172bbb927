import { applyRecord, emptyReplay, STATE, type JournalRecord, type JournalReplay } from '../../core/dispatch/journal-state.js';
import { isCampaignId } from '../../core/ids.js';
import type { Locks, ReceiptRecorder, ReceiptResult } from '../../core/ports.js';
import type { SubscriberId } from '../../core/subscriber.js';
import type { StatusEvent } from '../../core/whatsapp-status.js';
import { FORGOTTEN_ID } from '../campaign/campaign-files.js';
import { applyLines } from '../memory/memory-journal.js';
import { applyReceipt } from '../webhook/receipts.js';
import type { Sql, TxSql } from './database.js';
import { tuples } from './pg-campaign-records.js';
import { appendLines, readJournal, type Batch } from './pg-journal.js';

interface Waiting {
  readonly event: StatusEvent;
  readonly resolve: (result: ReceiptResult) => void;
  readonly reject: (error: unknown) => void;
}

/** One campaign as the receipts know it: its frozen list's ids, its journal replayed up to `read`, its dropped positions. */
interface Book {
  readonly id: string;
  readonly recipients: readonly string[];
  readonly replay: JournalReplay;
  readonly wamids: Map<string, number>;
  /** The `seq` of the last journal row applied. */
  read: number;
  readonly dropped: Set<number>;
  isDroppedChecked: boolean;
  readonly queue: Waiting[];
  placing?: Promise<void>;
  /** A batch failed: what the book holds may not be what was committed, so it is read again. */
  isStale?: boolean;
}

const KEPT_CAMPAIGNS = 16;

/** Campaign statuses after which no more `sent` records come: a message id not in the journal then is not ours. */
const ENDED: ReadonlySet<string> = new Set(['completed', 'cancelled', 'interrupted']);

type Placed = number | 'waiting' | 'not-ours' | 'duplicate';

/**
 * The ReceiptRecorder in PostgreSQL, with the rules of the home's ReceiptBook (webhook/receipts.ts), kept across
 * machines: the receipts of one campaign are placed a batch at a time in one transaction holding the campaign's
 * append lock (the one its journal's writes take), which first reads what the journal gained since — the send's
 * records, other webhook servers' receipts — so a receipt is recorded only when it moves its recipient forward,
 * whoever wrote before it, and all the batch's records are committed together. A message id not in the journal is
 * `waiting` while the campaign may still send it (its status read before the journal, once between two
 * `refresh()`es), `not-ours` once it ended; a receipt naming a recipient of unknown outcome by position settles
 * them (`sent`, `by: 'receipt'`), except while the live send (the Locks say which, on any machine) still waits for
 * that request's answer.
 */
export class PgReceipts implements ReceiptRecorder {
  private readonly books = new Map<string, Promise<Book | undefined>>();
  private readonly ended = new Map<string, Promise<boolean>>();
  private sending: Promise<string | undefined> | undefined;

  constructor(
    private readonly sql: Sql,
    private readonly locks: Locks,
  ) {}

  refresh(): void {
    this.ended.clear();
    this.sending = undefined;
    for (const book of this.books.values()) {
      void book.then((b) => {
        if (b !== undefined) b.isDroppedChecked = false;
      });
    }
  }

  async record(event: StatusEvent): Promise<ReceiptResult> {
    const id = event.campaignId;
    if (id === undefined || !isCampaignId(id)) return { kind: 'no-campaign' };
    // a `sent` receipt only matters for a recipient whose answer was lost, and names them only with their position
    if (event.status === 'sent' && event.recipientIndex === undefined) return { kind: 'no-campaign' };
    let book = await this.bookOf(id);
    if (book?.isStale === true) {
      this.books.delete(id);
      book = await this.bookOf(id);
    }
    if (book === undefined) return { kind: 'no-campaign' };
    return new Promise((resolve, reject) => {
      book.queue.push({ event, resolve, reject });
      book.placing ??= this.placeQueued(book).finally(() => {
        book.placing = undefined;
      });
    });
  }

  async warm(campaignIds: readonly string[]): Promise<void> {
    await Promise.all(campaignIds.filter((id) => isCampaignId(id)).slice(-KEPT_CAMPAIGNS).map((id) => this.bookOf(id)));
  }

  async close(): Promise<void> {
    const books = await Promise.all(this.books.values());
    await Promise.all(books.map((b) => b?.placing));
    this.books.clear();
  }

  /** Places what is queued for the book, a batch at a time; a batch that fails is refused whole and the book read again next time. */
  private async placeQueued(book: Book): Promise<void> {
    await Promise.resolve(); // the receipts of one webhook batch arrive in the same tick: one transaction for them
    while (book.queue.length > 0) {
      const batch = book.queue.splice(0);
      try {
        const results = await this.place(book, batch.map((w) => w.event));
        batch.forEach((w, k) => w.resolve(results[k] as ReceiptResult));
      } catch (error) {
        book.isStale = true;
        for (const w of [...batch, ...book.queue.splice(0)]) w.reject(error);
      }
    }
  }

  private async place(book: Book, events: readonly StatusEvent[]): Promise<ReceiptResult[]> {
    // read before the journal: a campaign that had ended then has all its `sent` records in what is read next
    const ended = await this.hasEnded(book.id);
    return this.sql.begin(async (tx: TxSql) => {
      await tx`select canale_campaign_append_lock(${book.id})`;
      book.read = await readJournal(tx, book.id, book.read, (lines) => this.apply(book, lines));
      if (!book.isDroppedChecked) {
        const dropped = await tuples<[number]>(tx`select position from canale_campaign_dropped where campaign_id = ${book.id}`);
        for (const [i] of dropped) book.dropped.add(i);
        book.isDroppedChecked = true;
      }
      const added: Batch = { positions: [], lines: [] };
      const keep = (record: JournalRecord): void => {
        added.positions.push(record.i);
        added.lines.push(JSON.stringify(record));
      };
      const results: ReceiptResult[] = [];
      for (const event of events) results.push(await this.placeOne(book, event, ended, keep));
      if (added.lines.length > 0) book.read = await appendLines(tx, book.id, added);
      return results;
    });
  }

  private async placeOne(book: Book, event: StatusEvent, ended: boolean, keep: (record: JournalRecord) => void): Promise<ReceiptResult> {
    const index = book.wamids.get(event.wamid) ?? (await this.settle(book, event, ended, keep));
    if (typeof index === 'string') return { kind: event.status === 'sent' && index === 'waiting' ? 'duplicate' : index };
    if (event.status === 'sent') return { kind: 'duplicate' };
    const record = applyReceipt(book.replay, index, { ...event, status: event.status });
    if (record === undefined) return { kind: 'duplicate' };
    keep(record);
    const subscriberId = (book.dropped.has(index) ? FORGOTTEN_ID : book.recipients[index]) as SubscriberId;
    return { kind: 'recorded', outcome: { subscriberId, status: event.status, ...(record.s === 'failed' ? { code: record.code } : {}) } };
  }

  /**
   * A receipt for a message id the journal does not have, naming the recipient by position: when their outcome is
   * unknown it settles them (ReceiptBook.settle says why); a second id for a recipient who has one is a duplicate.
   */
  private async settle(book: Book, event: StatusEvent, ended: boolean, keep: (record: JournalRecord) => void): Promise<Placed> {
    const i = event.recipientIndex;
    const without = ended ? 'not-ours' : 'waiting';
    if (i === undefined || i >= book.recipients.length) return without;
    const state = book.replay.states[i];
    if (state !== STATE.unknown && state !== STATE.pending) return state === STATE.failed ? without : 'duplicate';
    if (!book.replay.unanswered.has(i) && (await this.sendingNow()) === book.id) return 'waiting';
    const record: JournalRecord = { i, s: 'sent', id: event.wamid, at: event.at, by: 'receipt' };
    book.wamids.set(event.wamid, i);
    applyRecord(book.replay, record);
    keep(record);
    return i;
  }

  private apply(book: Book, lines: readonly string[]): void {
    applyLines(book.replay, lines, (record) => {
      if (record.s === 'sent') book.wamids.set(record.id, record.i);
    });
  }

  private bookOf(id: string): Promise<Book | undefined> {
    let book = this.books.get(id);
    if (book === undefined) {
      book = this.openBook(id);
      this.books.set(id, book);
      if (this.books.size > KEPT_CAMPAIGNS) this.books.delete(this.books.keys().next().value as string);
      void book.then(
        (b) => {
          if (b === undefined && this.books.get(id) === book) this.books.delete(id);
        },
        () => {
          if (this.books.get(id) === book) this.books.delete(id);
        },
      );
    }
    return book;
  }

  private async openBook(id: string): Promise<Book | undefined> {
    const [found] = await this.sql<{ found: boolean }[]>`select exists (select 1 from canale_campaigns where id = ${id}) as found`;
    if (found?.found !== true) return undefined;
    const rows = await tuples<[string]>(this.sql`select subscriber_id from canale_campaign_recipients where campaign_id = ${id} order by position`);
    const book: Book = { id, recipients: rows.map(([s]) => s), replay: emptyReplay(rows.length), wamids: new Map(), read: 0, dropped: new Set(), isDroppedChecked: false, queue: [] };
    book.read = await readJournal(this.sql, id, 0, (lines) => this.apply(book, lines));
    return book;
  }

  private hasEnded(id: string): Promise<boolean> {
    let ended = this.ended.get(id);
    if (ended === undefined) {
      ended = this.sql<{ status: string | null }[]>`select record->>'status' as status from canale_campaigns where id = ${id}`.then(
        ([row]) => ENDED.has(row?.status ?? ''),
        () => false,
      );
      this.ended.set(id, ended);
    }
    return ended;
  }

  private sendingNow(): Promise<string | undefined> {
    this.sending ??= this.locks.sendingNow().catch(() => undefined);
    return this.sending;
  }
}
