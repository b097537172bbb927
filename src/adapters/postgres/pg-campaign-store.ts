import { randomBytes } from 'node:crypto';
import type { Delivery } from '../../core/audience.js';
import type { Campaign } from '../../core/campaign.js';
import { DAY_MS } from '../../core/daily-quota.js';
import type { JournalReplay } from '../../core/dispatch/journal-state.js';
import type { ErasureTarget } from '../../core/erasure/line-scrub.js';
import type { AccountTrouble, CampaignFolder, CampaignJournal, CampaignState, CampaignStore, Clock, DamagedCampaign, DroppedWatch, Locks, ReceiptRecorder, Watch } from '../../core/ports.js';
import { buildReport } from '../../core/report.js';
import type { Subscriber } from '../../core/subscriber.js';
import type { DeliveryFailure } from '../../core/transport.js';
import { checkedCampaignId } from '../campaign/campaign-files.js';
import { campaignNotFound, damagedError } from '../campaign/campaign-store.js';
import { isWhatsAppActiveSince, noteWhatsAppSent } from '../campaign/whatsapp-usage.js';
import { journalRecords } from '../memory/memory-journal.js';
import type { Sql, TxSql } from './database.js';
import { eraseFromCampaign, eraseFromCampaigns, scrubJournalRows } from './pg-campaign-erasure.js';
import { CampaignFeed, DROPPED_CHANNEL, TROUBLE_CHANNEL } from './pg-campaign-feed.js';
import { createCampaign, tuples, deliveryOf, inspectCampaign, readFrozenList, recordParam, scanCampaigns } from './pg-campaign-records.js';
import { PgJournal, replayJournal } from './pg-journal.js';
import { PgReceipts } from './pg-receipts.js';

/**
 * The CampaignStore port in PostgreSQL (DESIGN §5), over the tables of schema/campaigns.ts, with the promises of
 * the home's campaign folders kept across machines: `create` is one transaction (the list in statements of 50,000 rows), the
 * journal holds the lines `journal.jsonl` would (group commit, replayed and scrubbed by the core's functions), the
 * receipts are placed under the campaign's append lock, and a running send hears a forget or account trouble
 * recorded on any machine through LISTEN/NOTIFY, with a poll behind it. Reading and listing campaigns reads no
 * subscriber. `locks` says which campaign is being sent (the receipts need it).
 */
export class PgCampaignStore implements CampaignStore {
  private readonly clock: Clock;
  private readonly locks: Locks;

  constructor(
    private readonly sql: Sql,
    options: { readonly clock: Clock; readonly locks: Locks },
  ) {
    this.clock = options.clock;
    this.locks = options.locks;
  }

  create(campaign: Campaign, deliveries: readonly Delivery[]): Promise<void> {
    return createCampaign(this.sql, campaign, deliveries, this.whereIs(campaign.id));
  }

  async save(campaign: Campaign): Promise<void> {
    const id = checkedCampaignId(campaign.id);
    const saved = await this.sql`update canale_campaigns set record = ${recordParam(this.sql, campaign)} where id = ${id}`;
    if (saved.count === 0) throw campaignNotFound(id);
  }

  async load(id: string): Promise<Campaign> {
    const folder = await this.inspect(id);
    switch (folder.kind) {
      case 'ok':
        return folder.campaign;
      case 'damaged':
        throw this.damaged(id, folder.problem);
      case 'missing':
        throw campaignNotFound(id);
      default: {
        const unreachable: never = folder;
        return unreachable;
      }
    }
  }

  inspect(id: string): Promise<CampaignFolder> {
    return inspectCampaign(this.sql, id);
  }

  async hasRecord(id: string): Promise<boolean> {
    const [row] = await this.sql<{ found: boolean }[]>`select exists (select 1 from canale_campaigns where id = ${checkedCampaignId(id)}) as found`;
    return row?.found === true;
  }

  scan(): Promise<{ campaigns: Campaign[]; damaged: DamagedCampaign[] }> {
    return scanCampaigns(this.sql);
  }

  async list(): Promise<Campaign[]> {
    return (await this.scan()).campaigns;
  }

  async remove(id: string): Promise<void> {
    const campaignId = checkedCampaignId(id);
    // the list and the journal have no foreign key (schema/campaigns.ts); the dropped list and the trouble go with
    // the row (on delete cascade). Under the append lock: no journal append is between its check and its insert.
    await this.sql.begin(async (tx: TxSql) => {
      await tx`select canale_campaign_append_lock(${campaignId})`;
      await tx`delete from canale_campaigns where id = ${campaignId}`;
      await tx`delete from canale_campaign_recipients where campaign_id = ${campaignId}`;
      await tx`delete from canale_campaign_journal where campaign_id = ${campaignId}`;
    });
  }

  async removeLeftovers(): Promise<number> {
    return 0; // a create is one transaction: it leaves nothing half made
  }

  async leftovers(): Promise<string[]> {
    return [];
  }

  whereIs(id: string): string {
    return `database:canale_campaigns/${id}`;
  }

  damaged(id: string, problem: string): Error {
    return damagedError(id, problem, `its rows ${this.whereIs(id)}`);
  }

  recipients(campaign: Campaign): Promise<Delivery[]> {
    return readFrozenList(this.sql, campaign);
  }

  async state(campaign: Campaign): Promise<CampaignState> {
    const deliveries = await this.recipients(campaign);
    const replay = await this.replay(campaign, deliveries.length);
    return { deliveries, replay, report: buildReport(campaign, deliveries.map((d) => d.channel), replay) };
  }

  replay(campaign: Campaign, size: number): Promise<JournalReplay> {
    return replayJournal(this.sql, checkedCampaignId(campaign.id), size);
  }

  async openJournal(campaign: Campaign): Promise<CampaignJournal> {
    const id = checkedCampaignId(campaign.id);
    if (!(await this.hasRecord(id))) throw campaignNotFound(id);
    return new PgJournal(this.sql, id, this.clock);
  }

  journalPath(id: string): string {
    return `database:canale_campaign_journal/${id}`;
  }

  scrubJournal(id: string, target: ErasureTarget, positions: ReadonlySet<number>): Promise<boolean> {
    return scrubJournalRows(this.sql, id, target, positions);
  }

  eraseFrom(id: string, subscriber: Subscriber): Promise<number> {
    return eraseFromCampaign(this.sql, id, subscriber);
  }

  erase(subscriber: Subscriber): Promise<number> {
    return eraseFromCampaigns(this.sql, subscriber);
  }

  async watchDropped(id: string): Promise<DroppedWatch> {
    const campaignId = checkedCampaignId(id);
    const positions = new Set<number>();
    const feed = await CampaignFeed.start(this.sql, DROPPED_CHANNEL, campaignId, async () => {
      const rows = await tuples<[number]>(this.sql`select position from canale_campaign_dropped where campaign_id = ${campaignId}`);
      for (const [i] of rows) positions.add(i);
    });
    return { positions, close: () => feed.close() };
  }

  async reportTrouble(id: string, failure: DeliveryFailure, at: string): Promise<void> {
    const campaignId = checkedCampaignId(id);
    await this.sql.begin(async (tx: TxSql) => {
      // under the append lock: trouble rows commit in seq order, so a watch that read up to one misses none before it
      await tx`select canale_campaign_append_lock(${campaignId})`;
      const added = await tx`insert into canale_campaign_trouble (campaign_id, at, code, kind, reason)
        select ${campaignId}, ${at}, ${failure.code}, ${failure.kind}, ${failure.reason} where exists (select 1 from canale_campaigns where id = ${campaignId})`;
      if (added.count === 0) throw campaignNotFound(campaignId);
      await tx`select pg_notify(${TROUBLE_CHANNEL}, ${campaignId})`;
    });
  }

  async lastTrouble(id: string): Promise<AccountTrouble | undefined> {
    const [row] = await this.sql<AccountTrouble[]>`select at, code, reason from canale_campaign_trouble where campaign_id = ${checkedCampaignId(id)} order by seq desc limit 1`;
    return row === undefined ? undefined : { at: row.at, code: row.code, reason: row.reason };
  }

  async watchTrouble(id: string, trouble: AbortController): Promise<Watch> {
    const campaignId = checkedCampaignId(id);
    // trouble reported before the send started is the past: a resume goes on
    const [start] = await this.sql<{ last: number | null }[]>`select max(seq) as last from canale_campaign_trouble where campaign_id = ${campaignId}`;
    let last = start?.last ?? 0;
    const feed = await CampaignFeed.start(this.sql, TROUBLE_CHANNEL, campaignId, async () => {
      const rows = await this.sql<{ seq: number; code: string; reason: string }[]>`select seq, code, reason from canale_campaign_trouble
        where campaign_id = ${campaignId} and seq > ${last} order by seq`;
      for (const { seq, code, reason } of rows) {
        last = seq;
        if (!trouble.signal.aborted) trouble.abort({ kind: 'fatal', code, reason } satisfies DeliveryFailure);
      }
    });
    return { close: () => feed.close() };
  }

  async recentWhatsAppRecipients(now: Date): Promise<ReadonlyMap<string, number>> {
    const since = now.getTime() - DAY_MS;
    const recent = new Map<string, number>();
    const active = (await this.list()).filter((c) => isWhatsAppActiveSince(c, since));
    for (const campaign of active) {
      // only the `sent` rows, each with its recipient: a sparse list is all noteWhatsAppSent reads
      const rows = await tuples<[number, string, string, string]>(this.sql`select j.i, j.line, r.subscriber_id, r.channel from canale_campaign_journal j
        join canale_campaign_recipients r on r.campaign_id = j.campaign_id and r.position = j.i
        where j.campaign_id = ${campaign.id} and r.channel = 'whatsapp' and strpos(j.line, '"s":"sent"') > 0`);
      const deliveries: Delivery[] = [];
      for (const [i, , subscriberId, channel] of rows) deliveries[i] = deliveryOf(subscriberId, channel);
      const records = journalRecords(rows.map(([, line]) => line));
      for (const record of records) noteWhatsAppSent(recent, campaign, deliveries, record, since);
    }
    return recent;
  }

  receipts(): ReceiptRecorder {
    return new PgReceipts(this.sql, this.locks);
  }

  async erasureMark(): Promise<string> {
    const [row] = await this.sql<{ mark: string }[]>`select mark from canale_erasure_mark`;
    return row?.mark ?? '';
  }

  async changeErasureMark(): Promise<void> {
    const mark = randomBytes(8).toString('hex');
    await this.sql`insert into canale_erasure_mark (mark) values (${mark}) on conflict (only_row) do update set mark = excluded.mark`;
  }
}
