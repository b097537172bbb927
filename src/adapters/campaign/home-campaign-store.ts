import { access, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Delivery } from '../../core/audience.js';
import type { Campaign, CampaignId } from '../../core/campaign.js';
import type { ErasureTarget } from '../../core/erasure/line-scrub.js';
import type { AccountTrouble, Clock, CampaignFolder, CampaignJournal, CampaignState, CampaignStore, DamagedCampaign, DroppedWatch, ReceiptRecorder, Watch } from '../../core/ports.js';
import type { JournalReplay } from '../../core/dispatch/journal-state.js';
import type { Subscriber } from '../../core/subscriber.js';
import type { DeliveryFailure } from '../../core/transport.js';
import { JournalFile, replayJournal } from '../journal/journal-file.js';
import type { LockOwner } from '../fs/file-lock.js';
import { homePaths } from '../home.js';
import { ReceiptBook } from '../webhook/receipts.js';
import { lastAccountTrouble, reportAccountTrouble, watchAccountTrouble } from './account-trouble.js';
import { campaignsHolder, eraseFromCampaign, scrubJournal } from './campaign-erasure.js';
import { campaignDir, journalFile, readCampaignState, readFrozenList } from './campaign-files.js';
import { FREEZE_PREFIX, freezeCampaign, removeFreezeLeftovers } from './campaign-freeze.js';
import { damagedCampaignError, listCampaigns, loadCampaign, readCampaignFolder, saveCampaign, scanCampaigns } from './campaign-store.js';
import { DroppedWatch as DroppedFeed } from './dropped-feed.js';
import { changeErasureMark, readErasureMark } from './erasure-mark.js';
import { recentWhatsAppRecipients } from './whatsapp-usage.js';

/**
 * The CampaignStore port over the home's `campaigns/<id>/` folders (DESIGN §5): `campaign.json`, the frozen
 * `recipients.jsonl`, `journal.jsonl` with the receipts appended to it, `dropped.jsonl` and `trouble.jsonl`.
 */
export class HomeCampaignStore implements CampaignStore {
  constructor(
    private readonly home: string,
    private readonly clock: Clock,
    private readonly options: { readonly owner?: LockOwner } = {},
  ) {}

  create(campaign: Campaign, deliveries: readonly Delivery[]): Promise<void> {
    return freezeCampaign(this.home, campaign, deliveries);
  }

  save(campaign: Campaign): Promise<void> {
    return saveCampaign(this.home, campaign);
  }

  load(id: string): Promise<Campaign> {
    return loadCampaign(this.home, id);
  }

  inspect(id: string): Promise<CampaignFolder> {
    return readCampaignFolder(this.home, id);
  }

  async hasRecord(id: string): Promise<boolean> {
    return access(join(this.dir(id), 'campaign.json')).then(() => true, () => false);
  }

  scan(): Promise<{ campaigns: Campaign[]; damaged: DamagedCampaign[] }> {
    return scanCampaigns(this.home);
  }

  list(): Promise<Campaign[]> {
    return listCampaigns(this.home);
  }

  async remove(id: string): Promise<void> {
    await rm(this.dir(id), { recursive: true, force: true });
  }

  removeLeftovers(): Promise<number> {
    return removeFreezeLeftovers(this.home);
  }

  async leftovers(): Promise<string[]> {
    return (await readdir(join(this.home, 'campaigns')).catch(() => [] as string[])).filter((n) => n.startsWith(FREEZE_PREFIX));
  }

  whereIs(id: string): string {
    return this.dir(id);
  }

  damaged(id: string, problem: string): Error {
    return damagedCampaignError(this.home, id, problem);
  }

  recipients(campaign: Campaign): Promise<Delivery[]> {
    return readFrozenList(this.home, campaign);
  }

  state(campaign: Campaign): Promise<CampaignState> {
    return readCampaignState(this.home, campaign);
  }

  replay(campaign: Campaign, size: number): Promise<JournalReplay> {
    return replayJournal(this.journalPath(campaign.id), size);
  }

  openJournal(campaign: Campaign): Promise<CampaignJournal> {
    return JournalFile.open(this.journalPath(campaign.id), this.clock);
  }

  journalPath(id: string): string {
    return journalFile(this.dir(id));
  }

  scrubJournal(id: string, target: ErasureTarget, positions: ReadonlySet<number>): Promise<boolean> {
    return scrubJournal(this.dir(id), target, positions);
  }

  eraseFrom(id: string, subscriber: Subscriber): Promise<number> {
    return eraseFromCampaign(this.dir(id), subscriber);
  }

  erase(subscriber: Subscriber): Promise<number> {
    return campaignsHolder.erase(subscriber, homePaths(this.home));
  }

  watchDropped(id: string): Promise<DroppedWatch> {
    return DroppedFeed.start(this.dir(id));
  }

  reportTrouble(id: string, failure: DeliveryFailure, at: string): Promise<void> {
    return reportAccountTrouble(this.home, id, failure, at);
  }

  lastTrouble(id: string): Promise<AccountTrouble | undefined> {
    return lastAccountTrouble(this.dir(id));
  }

  watchTrouble(id: string, trouble: AbortController): Promise<Watch> {
    return watchAccountTrouble(this.dir(id), trouble);
  }

  recentWhatsAppRecipients(now: Date): Promise<ReadonlyMap<string, number>> {
    return recentWhatsAppRecipients(this.home, now);
  }

  receipts(): ReceiptRecorder {
    return new ReceiptBook(this.home, this.options.owner === undefined ? {} : { processes: this.options.owner });
  }

  erasureMark(): Promise<string> {
    return readErasureMark(this.home);
  }

  changeErasureMark(): Promise<void> {
    return changeErasureMark(this.home);
  }

  private dir(id: string): string {
    return campaignDir(this.home, id as CampaignId);
  }
}
