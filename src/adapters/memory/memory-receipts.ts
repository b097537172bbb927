import type { Delivery } from '../../core/audience.js';
import type { Campaign } from '../../core/campaign.js';
import { applyRecord, emptyReplay, STATE, type JournalRecord, type JournalReplay } from '../../core/dispatch/journal-state.js';
import { isCampaignId } from '../../core/ids.js';
import type { ReceiptRecorder, ReceiptResult } from '../../core/ports.js';
import type { SubscriberId } from '../../core/subscriber.js';
import type { StatusEvent } from '../../core/whatsapp-status.js';
import { FORGOTTEN_ID } from '../campaign/campaign-files.js';
import { applyReceipt } from '../webhook/receipts.js';
import { applyLines } from './memory-journal.js';

/** A campaign as the receipts see it: its record, frozen list, journal lines and dropped positions, live. */
export interface ReceiptCampaign {
  readonly record: Campaign;
  readonly list: readonly Delivery[];
  readonly journal: readonly string[];
  readonly dropped: ReadonlySet<number>;
}

/** What the recorder reads and writes: the campaigns of a MemoryCampaignStore and its send lock. */
export interface ReceiptSource {
  campaign(id: string): ReceiptCampaign | undefined;
  append(id: string, line: string): void;
  sendingNow(): Promise<string | undefined>;
}

interface Book {
  /** The journal read (a campaign removed and made again has another). */
  readonly journal: readonly string[];
  replay: JournalReplay;
  wamids: Map<string, number>;
  read: number;
}

/** Campaign statuses after which no more `sent` records come: a message id not in the journal then is not ours. */
const ENDED: ReadonlySet<string> = new Set(['completed', 'cancelled', 'interrupted']);

/**
 * The ReceiptRecorder in memory, with the rules of the home's ReceiptBook (webhook/receipts.ts): a receipt is kept
 * only when it moves its recipient forward; a message id not in the journal is `waiting` while the campaign may still
 * send it, `not-ours` once it ended (its status read once between two `refresh()`es); a receipt naming a recipient of
 * unknown outcome by position settles them (`sent`, `by: 'receipt'`), except while the live send is still waiting
 * for that request's answer.
 */
export class MemoryReceipts implements ReceiptRecorder {
  private readonly books = new Map<string, Book>();
  private readonly ended = new Map<string, boolean>();
  private sending: Promise<string | undefined> | undefined;

  constructor(private readonly source: ReceiptSource) {}

  refresh(): void {
    this.ended.clear();
    this.sending = undefined;
  }

  async record(event: StatusEvent): Promise<ReceiptResult> {
    const id = event.campaignId;
    if (id === undefined || !isCampaignId(id)) return { kind: 'no-campaign' };
    if (event.status === 'sent' && event.recipientIndex === undefined) return { kind: 'no-campaign' };
    const campaign = this.source.campaign(id);
    if (campaign === undefined) return { kind: 'no-campaign' };
    const book = this.bookOf(id, campaign);
    const found = book.wamids.get(event.wamid) ?? this.indexOf(book, id, campaign, event.wamid);
    const index = typeof found === 'number' ? found : await this.settle(book, campaign, event);
    if (typeof index === 'string') return { kind: event.status === 'sent' && index === 'waiting' ? 'duplicate' : index };
    if (event.status === 'sent') return { kind: 'duplicate' };
    const record = applyReceipt(book.replay, index, { ...event, status: event.status });
    if (record === undefined) return { kind: 'duplicate' };
    this.source.append(id, JSON.stringify(record));
    const subscriberId = campaign.dropped.has(index) ? (FORGOTTEN_ID as SubscriberId) : (campaign.list[index]?.subscriberId as SubscriberId);
    return { kind: 'recorded', outcome: { subscriberId, status: event.status, ...(record.s === 'failed' ? { code: record.code } : {}) } };
  }

  async warm(campaignIds: readonly string[]): Promise<void> {
    for (const id of campaignIds) {
      const campaign = isCampaignId(id) ? this.source.campaign(id) : undefined;
      if (campaign !== undefined) this.bookOf(id, campaign);
    }
  }

  async close(): Promise<void> {
    this.books.clear();
  }

  /** A receipt for a message id the journal does not have, naming the recipient by position (see ReceiptBook.settle). */
  private async settle(book: Book, campaign: ReceiptCampaign, event: StatusEvent): Promise<number | 'waiting' | 'not-ours' | 'duplicate'> {
    const i = event.recipientIndex;
    const without = this.hasEnded(event.campaignId as string, campaign) ? 'not-ours' : 'waiting';
    if (i === undefined || i >= campaign.list.length) return without;
    const settled = book.wamids.get(event.wamid);
    if (settled !== undefined) return settled;
    const state = book.replay.states[i];
    if (state !== STATE.unknown && state !== STATE.pending) return state === STATE.failed ? without : 'duplicate';
    if (!book.replay.unanswered.has(i) && (await this.sendingNow()) === event.campaignId) return 'waiting';
    // looked at again after the wait: receipts of one batch are recorded side by side
    const known = book.wamids.get(event.wamid);
    if (known !== undefined) return known;
    const record: JournalRecord = { i, s: 'sent', id: event.wamid, at: event.at, by: 'receipt' };
    book.wamids.set(event.wamid, i);
    applyRecord(book.replay, record);
    this.source.append(event.campaignId as string, JSON.stringify(record));
    return i;
  }

  /** The recipient's position, reading what the journal gained; when it is not there, whether it ever will be. */
  private indexOf(book: Book, id: string, campaign: ReceiptCampaign, wamid: string): number | 'waiting' | 'not-ours' {
    const ended = this.hasEnded(id, campaign);
    this.scan(book);
    return book.wamids.get(wamid) ?? (ended ? 'not-ours' : 'waiting');
  }

  private bookOf(id: string, campaign: ReceiptCampaign): Book {
    let book = this.books.get(id);
    if (book?.journal !== campaign.journal) {
      book = { journal: campaign.journal, replay: emptyReplay(campaign.list.length), wamids: new Map(), read: 0 };
      this.books.set(id, book);
    }
    this.scan(book);
    return book;
  }

  private scan(book: Book): void {
    const lines = book.journal.slice(book.read);
    book.read = book.journal.length;
    applyLines(book.replay, lines, (record) => {
      if (record.s === 'sent') book.wamids.set(record.id, record.i);
    });
  }

  private hasEnded(id: string, campaign: ReceiptCampaign): boolean {
    let ended = this.ended.get(id);
    if (ended === undefined) {
      ended = ENDED.has(campaign.record.status);
      this.ended.set(id, ended);
    }
    return ended;
  }

  private sendingNow(): Promise<string | undefined> {
    this.sending ??= this.source.sendingNow().catch(() => undefined);
    return this.sending;
  }
}
