import type { Delivery } from '../../core/audience.js';
import type { Campaign } from '../../core/campaign.js';
import type { JournalReplay } from '../../core/dispatch/journal-state.js';
import { erasureTarget, scrubJournalLine, type ErasureTarget } from '../../core/erasure/line-scrub.js';
import { CanaleError } from '../../core/errors.js';
import type { AccountTrouble, CampaignFolder, CampaignJournal, CampaignState, CampaignStore, Clock, DamagedCampaign, DroppedWatch, ReceiptRecorder, Watch } from '../../core/ports.js';
import { buildReport } from '../../core/report.js';
import type { Subscriber, SubscriberId } from '../../core/subscriber.js';
import type { DeliveryFailure } from '../../core/transport.js';
import { DAY_MS } from '../../core/daily-quota.js';
import { checkedCampaignId, FORGOTTEN_ID } from '../campaign/campaign-files.js';
import { campaignNotFound, damagedError, oldestFirst } from '../campaign/campaign-store.js';
import { isWhatsAppActiveSince, noteWhatsAppSent } from '../campaign/whatsapp-usage.js';
import { MemoryFeed } from './memory-feed.js';
import { journalRecords, MemoryJournal, replayLines } from './memory-journal.js';
import { MemoryReceipts, type ReceiptCampaign } from './memory-receipts.js';
import { hasAny, scrubText } from './text-scrub.js';

/** A campaign in memory: its record, frozen list and journal lines, as its folder in the home would hold them. */
interface Kept {
  record: Campaign;
  readonly list: Delivery[];
  readonly journal: string[];
}

type Trouble = AccountTrouble & { readonly kind: DeliveryFailure['kind'] };

/** What the campaign's running send follows: positions dropped by forget, account trouble. */
interface Feeds {
  readonly dropped: MemoryFeed<number>;
  readonly trouble: MemoryFeed<Trouble>;
}

/**
 * The CampaignStore port in memory (DESIGN §5), with the promises of the home's campaign folders: `create` is whole
 * or nothing, records and lists handed out are copies, the journal holds the JSON lines `journal.jsonl` would and is
 * replayed the same way (core/dispatch/journal-state.ts), erasure scrubs them with the same scrubs, and watches hear
 * what is appended at once. `sendingNow` says which campaign the send lock is held for (the receipts need it).
 */
export class MemoryCampaignStore implements CampaignStore {
  private readonly kept = new Map<string, Kept>();
  private readonly feeds = new Map<string, Feeds>();
  private mark = 0;

  constructor(private readonly options: { readonly clock: Clock; readonly sendingNow?: () => Promise<string | undefined> }) {}

  async create(campaign: Campaign, deliveries: readonly Delivery[]): Promise<void> {
    const id = checkedCampaignId(campaign.id);
    if (this.kept.has(id)) throw new CanaleError('CAMPAIGN_EXISTS', `campaign ${id} already exists at ${this.whereIs(id)}`);
    this.kept.set(id, { record: structuredClone(campaign), list: structuredClone([...deliveries]), journal: [] });
  }

  async save(campaign: Campaign): Promise<void> {
    this.keptOf(campaign.id).record = structuredClone(campaign);
  }

  async load(id: string): Promise<Campaign> {
    return structuredClone(this.keptOf(id).record);
  }

  async inspect(id: string): Promise<CampaignFolder> {
    const kept = this.kept.get(checkedCampaignId(id));
    return kept === undefined ? { kind: 'missing' } : { kind: 'ok', campaign: structuredClone(kept.record) };
  }

  async hasRecord(id: string): Promise<boolean> {
    return this.kept.has(checkedCampaignId(id));
  }

  async scan(): Promise<{ campaigns: Campaign[]; damaged: DamagedCampaign[] }> {
    return { campaigns: await this.list(), damaged: [] };
  }

  async list(): Promise<Campaign[]> {
    return [...this.kept.values()].map((k) => structuredClone(k.record)).sort(oldestFirst);
  }

  async remove(id: string): Promise<void> {
    this.kept.delete(checkedCampaignId(id));
    this.feeds.delete(id);
  }

  async removeLeftovers(): Promise<number> {
    return 0; // a create is one step: it leaves nothing half made
  }

  async leftovers(): Promise<string[]> {
    return [];
  }

  whereIs(id: string): string {
    return `memory:campaigns/${id}`;
  }

  damaged(id: string, problem: string): Error {
    return damagedError(id, problem, `its record ${this.whereIs(id)}`);
  }

  async recipients(campaign: Campaign): Promise<Delivery[]> {
    const kept = this.kept.get(checkedCampaignId(campaign.id));
    if (kept === undefined) {
      if (campaign.recipients === 0) return [];
      throw new CanaleError('CAMPAIGN_DAMAGED', 'its recipient list is missing');
    }
    if (kept.list.length !== campaign.recipients) {
      throw new CanaleError('CAMPAIGN_DAMAGED', `its recipient list has ${kept.list.length} recipient(s), its record says ${campaign.recipients}`);
    }
    return structuredClone(kept.list);
  }

  async state(campaign: Campaign): Promise<CampaignState> {
    const deliveries = await this.recipients(campaign);
    const replay = await this.replay(campaign, deliveries.length);
    return { deliveries, replay, report: buildReport(campaign, deliveries.map((d) => d.channel), replay) };
  }

  async replay(campaign: Campaign, size: number): Promise<JournalReplay> {
    return replayLines(this.kept.get(checkedCampaignId(campaign.id))?.journal ?? [], size);
  }

  async openJournal(campaign: Campaign): Promise<CampaignJournal> {
    const { journal } = this.keptOf(campaign.id);
    return new MemoryJournal((line) => journal.push(line), this.options.clock);
  }

  journalPath(id: string): string {
    return `${this.whereIs(id)}/journal`;
  }

  async scrubJournal(id: string, target: ErasureTarget, positions: ReadonlySet<number>): Promise<boolean> {
    const journal = this.kept.get(checkedCampaignId(id))?.journal ?? [];
    let changed = false;
    journal.forEach((line, k) => {
      const text = scrubText(line, (bytes) => scrubJournalLine(bytes, target, positions, hasAny(bytes, target.needles)));
      changed ||= text !== line;
      journal[k] = text;
    });
    return changed;
  }

  /** Their positions dropped first (a running send stops before their message), the journal scrubbed, then their id forgotten. */
  async eraseFrom(id: string, subscriber: Subscriber): Promise<number> {
    const kept = this.kept.get(checkedCampaignId(id));
    if (kept === undefined) return 0;
    const positions = new Set<number>();
    kept.list.forEach((d, i) => {
      if (d.subscriberId === subscriber.id) positions.add(i);
    });
    let changed = 0;
    if (positions.size > 0) {
      this.feedsOf(id).dropped.append(...positions);
      changed++;
    }
    if (await this.scrubJournal(id, erasureTarget(subscriber), positions)) changed++;
    if (positions.size > 0) {
      for (const i of positions) kept.list[i] = { ...(kept.list[i] as Delivery), subscriberId: FORGOTTEN_ID as SubscriberId };
      changed++;
    }
    return changed;
  }

  async erase(subscriber: Subscriber): Promise<number> {
    let changed = 0;
    for (const id of [...this.kept.keys()]) changed += await this.eraseFrom(id, subscriber);
    return changed;
  }

  async watchDropped(id: string): Promise<DroppedWatch> {
    const positions = new Set<number>();
    const stop = this.feedsOf(checkedCampaignId(id)).dropped.follow(0, (i) => positions.add(i));
    return { positions, close: async () => stop() };
  }

  async reportTrouble(id: string, failure: DeliveryFailure, at: string): Promise<void> {
    this.feedsOf(checkedCampaignId(id)).trouble.append({ at, code: failure.code, kind: failure.kind, reason: failure.reason });
  }

  async lastTrouble(id: string): Promise<AccountTrouble | undefined> {
    const last = this.feeds.get(checkedCampaignId(id))?.trouble.all.at(-1);
    return last === undefined ? undefined : { at: last.at, code: last.code, reason: last.reason };
  }

  async watchTrouble(id: string, trouble: AbortController): Promise<Watch> {
    const feed = this.feedsOf(checkedCampaignId(id)).trouble;
    // trouble reported before the send started is the past: a resume goes on
    const stop = feed.follow(feed.end, ({ code, reason }) => {
      if (!trouble.signal.aborted) trouble.abort({ kind: 'fatal', code, reason } satisfies DeliveryFailure);
    });
    return { close: async () => stop() };
  }

  async recentWhatsAppRecipients(now: Date): Promise<ReadonlyMap<string, number>> {
    const since = now.getTime() - DAY_MS;
    const recent = new Map<string, number>();
    for (const { record, list, journal } of this.kept.values()) {
      if (!isWhatsAppActiveSince(record, since)) continue;
      for (const line of journalRecords(journal)) noteWhatsAppSent(recent, record, list, line, since);
    }
    return recent;
  }

  receipts(): ReceiptRecorder {
    return new MemoryReceipts({
      campaign: (id) => this.receiptCampaign(id),
      append: (id, line) => this.kept.get(id)?.journal.push(line),
      sendingNow: this.options.sendingNow ?? (async () => undefined),
    });
  }

  async erasureMark(): Promise<string> {
    return this.mark === 0 ? '' : `erasure-${this.mark}`;
  }

  async changeErasureMark(): Promise<void> {
    this.mark++;
  }

  private receiptCampaign(id: string): ReceiptCampaign | undefined {
    const kept = this.kept.get(id);
    return kept === undefined ? undefined : { record: kept.record, list: kept.list, journal: kept.journal, dropped: new Set(this.feeds.get(id)?.dropped.all) };
  }

  private keptOf(id: string): Kept {
    const kept = this.kept.get(checkedCampaignId(id));
    if (kept === undefined) throw campaignNotFound(id);
    return kept;
  }

  private feedsOf(id: string): Feeds {
    let feeds = this.feeds.get(id);
    if (feeds === undefined) {
      feeds = { dropped: new MemoryFeed(), trouble: new MemoryFeed() };
      this.feeds.set(id, feeds);
    }
    return feeds;
  }
}
