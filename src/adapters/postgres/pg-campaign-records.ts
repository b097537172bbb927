import type { JSONValue, Parameter, PendingQuery, Row } from 'postgres';
import type { Delivery } from '../../core/audience.js';
import type { Campaign } from '../../core/campaign.js';
import { CanaleError } from '../../core/errors.js';
import { isCampaignId } from '../../core/ids.js';
import type { CampaignFolder, DamagedCampaign } from '../../core/ports.js';
import { isChannel, type Channel, type SubscriberId } from '../../core/subscriber.js';
import { checkedCampaignId, FORGOTTEN_ID } from '../campaign/campaign-files.js';
import { campaignRecordOf, oldestFirst } from '../campaign/campaign-store.js';
import type { Sql, TxSql } from './database.js';

/** A query's rows as tuples (`.values()`): no object per row for the long reads. */
export async function tuples<T extends readonly unknown[]>(query: PendingQuery<Row[]>): Promise<T[]> {
  return (await query.values()) as unknown as T[];
}

/** What a damaged row's problem calls the record and where it is. */
const NAMES = { record: 'its record', place: 'this row' } as const;

/** A campaign row as read: its record checked, and whether its frozen list has any row. */
function folderOf(id: string, record: unknown, isListed: boolean): CampaignFolder {
  const folder = campaignRecordOf(record, id, NAMES);
  if (folder.kind === 'ok' && folder.campaign.recipients > 0 && !isListed) return { kind: 'damaged', problem: 'its recipient list is missing' };
  return folder;
}

interface CampaignRow {
  readonly id: string;
  readonly record: unknown;
  readonly listed: boolean;
}

/** The `record` column's value: the record as `campaign.json` holds it, with its version. */
export const recordParam = (sql: Sql | TxSql, campaign: Campaign): Parameter => sql.json({ version: 1, ...campaign } as unknown as JSONValue);

/** Rows of the frozen list sent in one statement: about a megabyte of ids. */
const LIST_ROWS = 50_000;

/**
 * Creates a campaign row and its frozen list in one transaction: a crash, a lost connection or an error at any
 * point leaves nothing, so there are never leftovers to list. An id that has a row is refused (CAMPAIGN_EXISTS)
 * and the row stays as it was. The list goes in statements of LIST_ROWS rows, each two texts split by the server —
 * as fast as COPY here (285,714 recipients in 0.75 s either way), and unlike the driver's COPY stream (postgres
 * 3.4.9), which never ends when the server refuses a row, an error comes back as one.
 */
export async function createCampaign(sql: Sql, campaign: Campaign, deliveries: readonly Delivery[], where: string): Promise<void> {
  const id = checkedCampaignId(campaign.id);
  await sql.begin(async (tx: TxSql) => {
    const made = await tx`insert into canale_campaigns (id, record) values (${id}, ${recordParam(tx, campaign)}) on conflict (id) do nothing returning id`;
    if (made.length === 0) throw new CanaleError('CAMPAIGN_EXISTS', `campaign ${id} already exists at ${where}`);
    for (let from = 0; from < deliveries.length; from += LIST_ROWS) {
      const part = deliveries.slice(from, from + LIST_ROWS);
      // a subscriber id or a channel never holds a comma or a line end (core/ids.ts)
      await tx`insert into canale_campaign_recipients (campaign_id, position, subscriber_id, channel)
        select ${id}, ${from} + u.k - 1, u.subscriber_id, u.channel
        from unnest(string_to_array(${part.map((d) => d.subscriberId).join('\n')}, E'\n'), string_to_array(${part.map((d) => d.channel).join(',')}, ',')) with ordinality as u(subscriber_id, channel, k)`;
    }
  });
}

/** The campaign row `id` as it stands, without throwing for damage. */
export async function inspectCampaign(sql: Sql, id: string): Promise<CampaignFolder> {
  const checked = checkedCampaignId(id);
  const [row] = await sql<CampaignRow[]>`select id, record, exists (select 1 from canale_campaign_recipients r where r.campaign_id = c.id) as listed
    from canale_campaigns c where id = ${checked}`;
  return row === undefined ? { kind: 'missing' } : folderOf(checked, row.record, row.listed);
}

/** Every campaign row, the readable ones oldest first and the damaged ones by id; rows whose id is no campaign id are not canale's. */
export async function scanCampaigns(sql: Sql): Promise<{ campaigns: Campaign[]; damaged: DamagedCampaign[] }> {
  const rows = await sql<CampaignRow[]>`select id, record, exists (select 1 from canale_campaign_recipients r where r.campaign_id = c.id) as listed from canale_campaigns c`;
  const campaigns: Campaign[] = [];
  const damaged: DamagedCampaign[] = [];
  for (const row of rows) {
    if (!isCampaignId(row.id)) continue;
    const folder = folderOf(row.id, row.record, row.listed);
    if (folder.kind === 'ok') campaigns.push(folder.campaign);
    else if (folder.kind === 'damaged') damaged.push({ id: row.id, problem: folder.problem });
  }
  campaigns.sort(oldestFirst);
  damaged.sort((a, b) => a.id.localeCompare(b.id));
  return { campaigns, damaged };
}

/** A row of the frozen list as a delivery: an id that is no subscriber's is one forget overwrote. */
export function deliveryOf(subscriberId: string, channel: string): Delivery {
  if (!isChannel(channel)) throw new CanaleError('CAMPAIGN_DAMAGED', `its recipient list has a recipient of no channel ("${channel.slice(0, 20)}")`);
  return { subscriberId: (subscriberId.startsWith('sub_') ? subscriberId : FORGOTTEN_ID) as SubscriberId, channel: channel as Channel };
}

/**
 * The frozen list in send order, checked against the record's count (CAMPAIGN_DAMAGED, saying what is wrong, when
 * it is not of that length). A campaign of nobody has an empty list.
 */
export async function readFrozenList(sql: Sql, campaign: Campaign): Promise<Delivery[]> {
  const id = checkedCampaignId(campaign.id);
  const rows = await tuples<[string, string]>(sql`select subscriber_id, channel from canale_campaign_recipients where campaign_id = ${id} order by position`);
  if (rows.length === 0 && campaign.recipients > 0) throw new CanaleError('CAMPAIGN_DAMAGED', 'its recipient list is missing');
  if (rows.length !== campaign.recipients) throw new CanaleError('CAMPAIGN_DAMAGED', `its recipient list has ${rows.length} recipient(s), its record says ${campaign.recipients}`);
  return rows.map(([subscriberId, channel]) => deliveryOf(subscriberId, channel));
}
