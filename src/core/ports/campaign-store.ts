import type { Delivery } from '../audience.js';
import type { Campaign } from '../campaign.js';
import type { DeliveryJournal } from '../dispatch/deliver-types.js';
import type { JournalReplay } from '../dispatch/journal-state.js';
import type { ErasureTarget } from '../erasure/line-scrub.js';
import type { CampaignReport } from '../report.js';
import type { Subscriber, SubscriberId } from '../subscriber.js';
import type { DeliveryFailure } from '../transport.js';
import type { StatusEvent } from '../whatsapp-status.js';

/** A campaign as it stands in the store: its record, what is wrong with it, or nothing there. */
export type CampaignFolder = { readonly kind: 'ok'; readonly campaign: Campaign } | { readonly kind: 'damaged'; readonly problem: string } | { readonly kind: 'missing' };

/** A campaign that cannot be read, and what is wrong with it. */
export interface DamagedCampaign {
  readonly id: string;
  readonly problem: string;
}

/** A campaign's frozen list and journal replayed, and the report built from them, as they stand now. */
export interface CampaignState {
  readonly deliveries: Delivery[];
  readonly replay: JournalReplay;
  readonly report: CampaignReport;
}

/** The journal a send writes: records with group commit, each in-flight one durable before its request leaves. */
export interface CampaignJournal extends DeliveryJournal {
  /** Writes what is buffered and releases the journal. */
  close(): Promise<void>;
}

/** What a running send follows while it runs; closed when it ends. */
export interface Watch {
  close(): Promise<void>;
}

/** The positions of a campaign's list whose people were forgotten: all of them at start, then as they come. */
export interface DroppedWatch extends Watch {
  readonly positions: ReadonlySet<number>;
}

/** Account trouble reported for a campaign (a failed receipt about payment, a policy block). */
export interface AccountTrouble {
  readonly at: string;
  readonly code: string;
  readonly reason: string;
}

/** What a receipt did to its campaign's journal (ReceiptRecorder.record). */
export interface ReceiptOutcome {
  readonly subscriberId: SubscriberId;
  readonly status: 'delivered' | 'read' | 'failed';
  readonly code?: string;
}

export type ReceiptResult =
  | { readonly kind: 'recorded'; readonly outcome: ReceiptOutcome }
  /** `waiting`: the id is not in the journal yet and the campaign is still sending — try again later. `not-ours`: the campaign ended without it. */
  | { readonly kind: 'duplicate' | 'no-campaign' | 'waiting' | 'not-ours' };

/** Records delivery receipts in their campaign's journal, each only when it moves its recipient forward. */
export interface ReceiptRecorder {
  record(event: StatusEvent): Promise<ReceiptResult>;
  /** Forgets what was read of campaigns' statuses: the next receipts read them again (once a batch). */
  refresh(): void;
  /** Reads these campaigns ahead of their receipts. */
  warm(campaignIds: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

/**
 * Campaigns: the record, the frozen recipient list, the journal, receipts, the dropped list and account trouble
 * (DESIGN §5). Implementations guarantee:
 * - `create` leaves the campaign whole or not at all (a crash mid-way leaves nothing that is listed);
 * - reading and listing campaigns reads no subscriber;
 * - a damaged campaign is reported as damaged (`inspect`, `scan`), never a reason for a listing to fail;
 * - the journal's in-flight records are durable before `inFlight` resolves; replay reads every state a crash can leave
 *   (a torn last line is ignored);
 * - `erase` removes a person from every campaign: their positions are dropped first (a running send stops before
 *   their message), then their records lose the contacts, then their id in the list becomes `forgotten`.
 */
export interface CampaignStore {
  /** Creates a campaign with its frozen list, atomically. */
  create(campaign: Campaign, deliveries: readonly Delivery[]): Promise<void>;
  /** Saves a campaign's record (its status, counts, options). */
  save(campaign: Campaign): Promise<void>;
  /** The campaign, or CAMPAIGN_NOT_FOUND / CAMPAIGN_DAMAGED (the message says how to clear it). */
  load(id: string): Promise<Campaign>;
  /** The campaign as it stands, without throwing for damage. */
  inspect(id: string): Promise<CampaignFolder>;
  /**
   * Whether campaign `id` has its record, readable or not: a schedule's claimed slot whose campaign has none was
   * never frozen (its run stopped first), so the next run makes it.
   */
  hasRecord(id: string): Promise<boolean>;
  /** Every readable campaign, oldest first, and those that cannot be read. */
  scan(): Promise<{ readonly campaigns: Campaign[]; readonly damaged: DamagedCampaign[] }>;
  /** Every readable campaign, oldest first. */
  list(): Promise<Campaign[]>;
  /** Removes a campaign and everything of it. */
  remove(id: string): Promise<void>;
  /** Removes what creates that never finished left behind; returns how many. */
  removeLeftovers(): Promise<number>;
  /** Leftovers of unfinished creates, by name (`campaigns check`). */
  leftovers(): Promise<string[]>;
  /** Where the campaign is kept, for messages (a folder, a database row). */
  whereIs(id: string): string;
  /** The damaged-campaign error, naming how to clear it. */
  damaged(id: string, problem: string): Error;
  /** The frozen list, checked against the record's count (CAMPAIGN_DAMAGED when not). */
  recipients(campaign: Campaign): Promise<Delivery[]>;
  /** The frozen list, its journal replayed and the report. */
  state(campaign: Campaign): Promise<CampaignState>;
  /** The journal replayed, for a list of `size` recipients. */
  replay(campaign: Campaign, size: number): Promise<JournalReplay>;
  /** Opens the journal for a send (DISK_* CanaleErrors when it cannot be). */
  openJournal(campaign: Campaign): Promise<CampaignJournal>;
  /** Where the journal is, for disk error messages. */
  journalPath(id: string): string;
  /** Scrubs a campaign's journal where it lies: `positions` lose message ids, every record the contacts of `target`. */
  scrubJournal(id: string, target: ErasureTarget, positions: ReadonlySet<number>): Promise<boolean>;
  /** Erases a person from one campaign; returns how many places changed. */
  eraseFrom(id: string, subscriber: Subscriber): Promise<number>;
  /** Erases a person from every campaign (each under the send lock when it is being sent); returns how many places changed. */
  erase(subscriber: Subscriber): Promise<number>;
  /** Follows the campaign's dropped list while it is sent. */
  watchDropped(id: string): Promise<DroppedWatch>;
  /** Records account trouble for a campaign (the webhook server). */
  reportTrouble(id: string, failure: DeliveryFailure, at: string): Promise<void>;
  /** The last account trouble reported for a campaign. */
  lastTrouble(id: string): Promise<AccountTrouble | undefined>;
  /** Follows new account trouble from now: the first aborts `trouble` with a fatal failure. */
  watchTrouble(id: string, trouble: AbortController): Promise<Watch>;
  /** The citizens messaged on WhatsApp in the 24 hours before `now`, with the time of the last message. */
  recentWhatsAppRecipients(now: Date): Promise<ReadonlyMap<string, number>>;
  /** Records delivery receipts (the webhook server). */
  receipts(): ReceiptRecorder;
  /** A mark that changes whenever someone is forgotten: a send compares it before and after its freeze. */
  erasureMark(): Promise<string>;
  /** Changes the erasure mark. */
  changeErasureMark(): Promise<void>;
}
