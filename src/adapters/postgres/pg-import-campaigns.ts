import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { Delivery } from '../../core/audience.js';
import type { Campaign } from '../../core/campaign.js';
import { isCanaleError } from '../../core/errors.js';
import type { CampaignStore, DamagedCampaign } from '../../core/ports.js';
import { troubleFile } from '../campaign/account-trouble.js';
import { campaignDir } from '../campaign/campaign-files.js';
import { LineFeed } from '../fs/line-feed.js';
import type { Sql } from './database.js';
import { appendLines, type Batch } from './pg-journal.js';

/** What the campaigns of a home came to in the database. */
export interface CampaignsCopied {
  readonly copied: number;
  readonly recipients: number;
  readonly journalLines: number;
  readonly dropped: number;
  readonly trouble: number;
  /** Campaigns not copied: their record or their list cannot be read (as `campaigns list` names them). */
  readonly damaged: readonly DamagedCampaign[];
}

/** Journal lines sent in one call of canale_campaign_journal_append. */
const JOURNAL_BATCH = 20_000;

/**
 * Copies every readable campaign of the home (`from`, its CampaignStore) into the database: the record and the
 * frozen list through the database's own `create` (`to`), then — where the port has no write that takes them as
 * they are — the journal lines as `journal.jsonl` holds them (through canale_campaign_journal_append), the dropped
 * positions and the account trouble. A campaign whose record or list cannot be read is skipped and named.
 */
export async function copyCampaigns(sql: Sql, home: string, from: CampaignStore, to: CampaignStore, progress: (line: string) => void): Promise<CampaignsCopied> {
  const scanned = await from.scan();
  const damaged: DamagedCampaign[] = [...scanned.damaged];
  const total = { copied: 0, recipients: 0, journalLines: 0, dropped: 0, trouble: 0 };
  for (const campaign of scanned.campaigns) {
    const deliveries = await frozenList(from, campaign, damaged);
    if (deliveries === undefined) continue;
    await to.create(campaign, deliveries);
    total.recipients += deliveries.length;
    total.journalLines += await copyJournal(sql, campaign.id, from.journalPath(campaign.id));
    total.dropped += await copyDropped(sql, campaign.id, from);
    total.trouble += await copyTrouble(sql, campaign.id, home);
    total.copied++;
    if (deliveries.length >= 100_000) progress(`copied campaign ${campaign.id} (${deliveries.length} recipients)`);
  }
  return { ...total, damaged };
}

/** The campaign's list, or undefined (and the campaign named among the damaged) when it cannot be read. */
async function frozenList(from: CampaignStore, campaign: Campaign, damaged: DamagedCampaign[]): Promise<Delivery[] | undefined> {
  try {
    return await from.recipients(campaign);
  } catch (error) {
    if (!isCanaleError(error) || error.code !== 'CAMPAIGN_DAMAGED') throw error;
    damaged.push({ id: campaign.id, problem: error.message });
    return undefined;
  }
}

/**
 * The journal's lines as they are, in their order, each with its recipient's position. A line that is no record — a
 * torn one a crash left, one scrubbed to blanks — is one the replay skips in the home as in the database: not copied.
 */
async function copyJournal(sql: Sql, campaignId: string, path: string): Promise<number> {
  if (!(await access(path).then(() => true, () => false))) return 0;
  let batch: Batch = { positions: [], lines: [] };
  let copied = 0;
  const input = createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 });
  for await (const line of createInterface({ input, crlfDelay: Infinity })) {
    const i = positionOf(line);
    if (i === undefined) continue;
    batch.positions.push(i);
    batch.lines.push(line);
    if (batch.lines.length < JOURNAL_BATCH) continue;
    await appendLines(sql, campaignId, batch);
    copied += batch.lines.length;
    batch = { positions: [], lines: [] };
  }
  await appendLines(sql, campaignId, batch);
  return copied + batch.lines.length;
}

/** The recipient a journal line is about, when the line is a record. */
function positionOf(line: string): number | undefined {
  if (line.trim() === '') return undefined;
  try {
    const i = (JSON.parse(line) as { i?: unknown } | null)?.i;
    return typeof i === 'number' && Number.isSafeInteger(i) && i >= 0 && i <= 0x7fffffff ? i : undefined;
  } catch {
    return undefined;
  }
}

/** The positions of people forgotten, as the home's dropped list gives them to a send. */
async function copyDropped(sql: Sql, campaignId: string, from: CampaignStore): Promise<number> {
  const watch = await from.watchDropped(campaignId);
  const positions = [...watch.positions].filter((i) => i <= 0x7fffffff);
  await watch.close();
  if (positions.length === 0) return 0;
  await sql`insert into canale_campaign_dropped (campaign_id, position) select ${campaignId}, p from unnest(${positions}::int[]) as p on conflict do nothing`;
  return positions.length;
}

/** The account trouble reported for the campaign, in its order: the whole lines of `trouble.jsonl` that are some. */
async function copyTrouble(sql: Sql, campaignId: string, home: string): Promise<number> {
  const rows: { at: string; code: string; kind: string; reason: string }[] = [];
  const feed = await LineFeed.start(troubleFile(campaignDir(home, campaignId as never)), 0, (line) => {
    try {
      const { at, code, kind, reason } = JSON.parse(line) as Record<string, unknown>;
      if (typeof at === 'string' && typeof code === 'string' && typeof kind === 'string' && typeof reason === 'string') rows.push({ at, code, kind, reason });
    } catch {
      // a torn or empty line: the home's readers skip it too
    }
  }, 60_000);
  await feed.close();
  if (rows.length === 0) return 0;
  await sql`insert into canale_campaign_trouble (campaign_id, at, code, kind, reason)
    select ${campaignId}, t.at, t.code, t.kind, t.reason
    from unnest(${rows.map((r) => r.at)}::text[], ${rows.map((r) => r.code)}::text[], ${rows.map((r) => r.kind)}::text[], ${rows.map((r) => r.reason)}::text[])
      with ordinality as t(at, code, kind, reason, n)
    order by t.n`;
  return rows.length;
}
