import type { ReceiptResult } from '../../core/ports.js';
import { open, readFile, stat } from 'node:fs/promises';
import { droppedFile } from '../campaign/dropped-feed.js';
import { sendingNow } from '../campaign/send-lock.js';
import type { LockOwner } from '../fs/lock-holder.js';
import { sizeOf } from '../fs/line-feed.js';
import { campaignDir, FORGOTTEN_ID, journalFile, readRecipients } from '../campaign/campaign-files.js';
import { readCampaignFolder } from '../campaign/campaign-store.js';
import { isCampaignId } from '../../core/ids.js';
import { applyRecord, emptyReplay, STATE, type JournalRecord, type JournalReplay } from '../../core/dispatch/journal-state.js';
import type { SubscriberId } from '../../core/subscriber.js';
import { AppendFile } from './append-file.js';
import type { StatusEvent } from '../../core/whatsapp-status.js';

/** What a receipt changed for a recipient: the failure streaks of `whatsapp.unreachableAfter` are kept from these. */
export type { ReceiptOutcome, ReceiptResult } from '../../core/ports.js';

interface CampaignBook {
  readonly journal: AppendFile;
  readonly dir: string;
  readonly recipients: readonly SubscriberId[];
  /** Positions of people forgotten since the book was read (the campaign's dropped list), and its size then. */
  readonly forgotten: Set<number>;
  droppedSize: number;
  isDroppedChecked: boolean;
  replay: JournalReplay;
  wamids: Map<string, number>;
  inode: number;
  offset: number;
  remainder: string;
  scanning?: Promise<void>;
}

const KEPT_CAMPAIGNS = 16;

/** Campaign statuses after which no more `sent` records come: a message id not in the journal then is not ours. */
const ENDED: ReadonlySet<string> = new Set(['completed', 'cancelled', 'interrupted']);

/**
 * Applies a delivered, read or failed receipt for the recipient at `index` to a campaign's replay: the journal record
 * to append when it moved them forward (or changed their failure), undefined when it changed nothing (a duplicate).
 */
export function applyReceipt(replay: JournalReplay, index: number, event: StatusEvent & { readonly status: 'delivered' | 'read' | 'failed' }): JournalRecord | undefined {
  const record: JournalRecord =
    event.status === 'failed'
      ? { i: index, s: 'failed', code: event.failure?.code ?? 'WHATSAPP_ERROR', kind: 'recipient', reason: event.failure?.reason ?? 'WhatsApp reported the message as failed', at: event.at }
      : { i: index, s: event.status, at: event.at };
  const before = replay.states[index];
  const failureBefore = replay.failures.get(index)?.code;
  applyRecord(replay, record);
  return replay.states[index] === before && replay.failures.get(index)?.code === failureBefore ? undefined : record;
}

/**
 * Records delivery receipts in their campaign's journal (DESIGN §5): the campaign comes from
 * `biz_opaque_callback_data`, the recipient from the message id in that journal's `sent` records, read
 * incrementally (a running send is still appending). A receipt is appended only when it moves the recipient
 * forward, so Meta's redeliveries and out-of-order statuses leave the journal as it is. A message id not in the
 * journal yet is never waited for here: the caller keeps the receipt and asks again (`waiting`).
 */
export class ReceiptBook {
  private readonly books = new Map<string, Promise<CampaignBook | undefined>>();
  /** Whether each campaign had ended, read at most once between two `refresh()` calls (once a batch). */
  private readonly ended = new Map<string, Promise<boolean>>();
  /** The campaign a live send is sending now, read at most once a batch. */
  private sending: Promise<string | undefined> | undefined;

  constructor(
    private readonly home: string,
    private readonly options: { readonly inodeCheckMs?: number; readonly processes?: LockOwner } = {},
  ) {}

  /** Forgets what was read of campaigns' statuses: the next receipts read them again. */
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
    if (event.campaignId === undefined || !isCampaignId(event.campaignId)) return { kind: 'no-campaign' };
    // a `sent` receipt only matters for a recipient whose answer was lost, and names them only with their position
    if (event.status === 'sent' && event.recipientIndex === undefined) return { kind: 'no-campaign' };
    const book = await this.bookOf(event.campaignId);
    if (book === undefined) return { kind: 'no-campaign' };
    const found = await this.indexOf(book, event.campaignId, event.wamid);
    const index = typeof found === 'number' ? found : await this.settle(book, event);
    if (typeof index === 'string') return { kind: event.status === 'sent' && index === 'waiting' ? 'duplicate' : index };
    if (event.status === 'sent') return { kind: 'duplicate' };
    const record = applyReceipt(book.replay, index, { ...event, status: event.status });
    if (record === undefined) return { kind: 'duplicate' };
    await book.journal.append(`${JSON.stringify(record)}\n`);
    const subscriberId = (await this.isForgotten(book, index)) ? (FORGOTTEN_ID as SubscriberId) : (book.recipients[index] as SubscriberId);
    return { kind: 'recorded', outcome: { subscriberId, status: event.status, ...(record.s === 'failed' ? { code: record.code } : {}) } };
  }

  /**
   * A receipt for a message id the journal does not have, naming the recipient by position (`<campaign>/<i>` in
   * `biz_opaque_callback_data`): when their outcome is unknown — the request was out and its answer was lost, or
   * the send died — the receipt proves Meta accepted it, and settles them (`sent`, `by: 'receipt'`) so a resume
   * never sends it again (DESIGN §7.2). While a live send is sending the campaign, a recipient whose request has
   * no recorded outcome yet is only waiting for its answer: the receipt waits for the send's own `sent` record, as
   * before. A second message id for a recipient who already has one is a duplicate send: its receipts change
   * nothing. Returns the position, or why the receipt cannot be placed.
   */
  private async settle(book: CampaignBook, event: StatusEvent): Promise<number | 'waiting' | 'not-ours' | 'duplicate'> {
    const i = event.recipientIndex;
    const without = (await this.hasEnded(event.campaignId as string)) ? 'not-ours' : 'waiting';
    if (i === undefined || i >= book.recipients.length) return without;
    // looked at again with no await between: receipts of one batch are recorded side by side
    const known = book.wamids.get(event.wamid);
    if (known !== undefined) return known;
    const state = book.replay.states[i];
    if (state !== STATE.unknown && state !== STATE.pending) return state === STATE.failed ? without : 'duplicate';
    if (!book.replay.unanswered.has(i) && (await this.sendingNow()) === event.campaignId) return 'waiting';
    if (book.wamids.has(event.wamid)) return book.wamids.get(event.wamid) as number;
    const record: JournalRecord = { i, s: 'sent', id: event.wamid, at: event.at, by: 'receipt' };
    book.wamids.set(event.wamid, i);
    applyRecord(book.replay, record);
    await book.journal.append(`${JSON.stringify(record)}\n`);
    return i;
  }

  /**
   * Whether the recipient was forgotten after the book read the frozen list (forget appended their position to the
   * campaign's dropped list): their receipt then names nobody, so no failure streak keeps their id. Looked at once a
   * batch (refresh).
   */
  private async isForgotten(book: CampaignBook, index: number): Promise<boolean> {
    if (!book.isDroppedChecked) {
      book.isDroppedChecked = true;
      const size = await sizeOf(droppedFile(book.dir));
      if (size !== book.droppedSize) {
        book.droppedSize = size;
        const text = await readFile(droppedFile(book.dir), 'utf8').catch(() => '');
        for (const i of text.matchAll(/^\{"i":(\d+)\}$/gm)) book.forgotten.add(Number(i[1]));
      }
    }
    return book.forgotten.has(index);
  }

  /** Reads these campaigns' journals now, so the first receipts for them do not wait for it (at most the 16 last). */
  async warm(campaignIds: readonly string[]): Promise<void> {
    await Promise.all(campaignIds.slice(-KEPT_CAMPAIGNS).map((id) => this.bookOf(id)));
  }

  async close(): Promise<void> {
    const books = await Promise.all(this.books.values());
    await Promise.all(books.map((b) => b?.journal.close()));
    this.books.clear();
  }

  private bookOf(id: string): Promise<CampaignBook | undefined> {
    let book = this.books.get(id);
    if (book === undefined) {
      book = this.openBook(id);
      this.books.set(id, book);
      if (this.books.size > KEPT_CAMPAIGNS) {
        const [oldest] = this.books.keys();
        const evicted = this.books.get(oldest as string);
        this.books.delete(oldest as string);
        void evicted?.then((b) => b?.journal.close());
      }
      void book.then((b) => {
        if (b === undefined) this.books.delete(id);
      });
    }
    return book;
  }

  private async openBook(id: string): Promise<CampaignBook | undefined> {
    const dir = campaignDir(this.home, id as never);
    const deliveries = await readRecipients(dir).catch(() => undefined);
    if (deliveries === undefined) return undefined;
    const book: CampaignBook = {
      journal: new AppendFile(journalFile(dir), this.options.inodeCheckMs),
      dir,
      recipients: deliveries.map((d) => d.subscriberId),
      forgotten: new Set(),
      droppedSize: 0,
      isDroppedChecked: false,
      replay: emptyReplay(deliveries.length),
      wamids: new Map(),
      inode: -1,
      offset: 0,
      remainder: '',
    };
    await this.scan(book);
    return book;
  }

  /**
   * The recipient's position, reading what the journal gained since the last read; when the id is not there, whether
   * the campaign had already ended before that read (then it never will be) or may still append it.
   */
  private async indexOf(book: CampaignBook, campaignId: string, wamid: string): Promise<number | 'waiting' | 'not-ours'> {
    const known = book.wamids.get(wamid);
    if (known !== undefined) return known;
    const ended = await this.hasEnded(campaignId);
    await this.scan(book);
    return book.wamids.get(wamid) ?? (ended ? 'not-ours' : 'waiting');
  }

  private sendingNow(): Promise<string | undefined> {
    this.sending ??= sendingNow(this.home, this.options.processes).catch(() => undefined);
    return this.sending;
  }

  private hasEnded(id: string): Promise<boolean> {
    let ended = this.ended.get(id);
    if (ended === undefined) {
      ended = readCampaignFolder(this.home, id).then(
        (folder) => folder.kind === 'ok' && ENDED.has(folder.campaign.status),
        () => false,
      );
      this.ended.set(id, ended);
    }
    return ended;
  }

  private scan(book: CampaignBook): Promise<void> {
    book.scanning ??= this.readTail(book).finally(() => {
      book.scanning = undefined;
    });
    return book.scanning;
  }

  /** Reads the journal from where the last read stopped; a replaced or shortened file (by hand, or a restore) is read again whole. */
  private async readTail(book: CampaignBook): Promise<void> {
    const info = await stat(book.journal.path).catch(() => undefined);
    if (info === undefined) return;
    if (info.ino !== book.inode || info.size < book.offset) {
      Object.assign(book, { inode: info.ino, offset: 0, remainder: '', replay: emptyReplay(book.recipients.length), wamids: new Map() });
    }
    if (info.size === book.offset) return;
    const handle = await open(book.journal.path, 'r');
    try {
      const buffer = Buffer.alloc(info.size - book.offset);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, book.offset);
      book.offset += bytesRead;
      const lines = (book.remainder + buffer.subarray(0, bytesRead).toString('utf8')).split('\n');
      book.remainder = lines.pop() ?? '';
      for (const line of lines) {
        if (line === '') continue;
        try {
          const record = JSON.parse(line) as JournalRecord;
          applyRecord(book.replay, record);
          if (record.s === 'sent') book.wamids.set(record.id, record.i);
        } catch {
          // a line torn by a crash: the journal's own replay skips it too
        }
      }
    } finally {
      await handle.close();
    }
  }
}
