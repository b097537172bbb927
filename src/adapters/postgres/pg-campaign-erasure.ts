import { erasureTarget, scrubJournalLine, type ErasureTarget } from '../../core/erasure/line-scrub.js';
import { isCampaignId } from '../../core/ids.js';
import type { Subscriber } from '../../core/subscriber.js';
import { checkedCampaignId, FORGOTTEN_ID } from '../campaign/campaign-files.js';
import { hasAny, scrubText } from '../memory/text-scrub.js';
import type { Sql, TxSql } from './database.js';
import { tuples } from './pg-campaign-records.js';
import { DROPPED_CHANNEL } from './pg-campaign-feed.js';

const decoder = new TextDecoder();

/** The needles as the text a journal row holds (they are the UTF-8 bytes of JSON-escaped strings). */
const needleTexts = (target: ErasureTarget): string[] => target.needles.map((n) => decoder.decode(n));

/**
 * Scrubs a campaign's journal rows where they lie, with the home's scrubs (core/erasure/line-scrub.ts): the rows of
 * `positions` lose the provider's message id and reply, every row the contacts of `target`. Only the rows that can
 * change are read (their position, or a needle in them), locked while they are rewritten so two forgets at once
 * never undo each other's scrub; rows a running send or the webhook server add meanwhile are not touched (a send
 * scrubs what it wrote for people forgotten while it ran, at its end). Returns whether a row changed.
 */
export async function scrubJournalRows(sql: Sql, campaignId: string, target: ErasureTarget, positions: ReadonlySet<number>): Promise<boolean> {
  const id = checkedCampaignId(campaignId);
  const needles = needleTexts(target);
  if (needles.length === 0 && positions.size === 0) return false;
  return sql.begin(async (tx: TxSql) => {
    const rows = await tuples<[number, string]>(tx`select seq, line from canale_campaign_journal
      where campaign_id = ${id} and (i = any(${[...positions]}::int[]) or exists (select 1 from unnest(${needles}::text[]) n where strpos(line, n) > 0))
      for update`);
    const seqs: number[] = [];
    const lines: string[] = [];
    for (const [seq, line] of rows) {
      const text = scrubText(line, (bytes) => scrubJournalLine(bytes, target, positions, hasAny(bytes, target.needles)));
      if (text === line) continue;
      seqs.push(seq);
      lines.push(text);
    }
    if (seqs.length === 0) return false;
    await tx`update canale_campaign_journal j set line = u.line from unnest(${seqs}::bigint[], ${lines}::text[]) as u(seq, line)
      where j.campaign_id = ${id} and j.seq = u.seq`;
    return true;
  });
}

/**
 * Erases a person from one campaign, in the home's order (campaign-erasure.ts): their positions go to the dropped
 * list first, committed and announced (a send running it, on any machine, stops before their message), then the
 * journal is scrubbed, then their id in the frozen list becomes `forgotten` — last, so a forget that is interrupted
 * finds the positions again. `positions`: theirs in this campaign, when the caller has read them. Returns how many
 * of the three places changed.
 */
export async function eraseFromCampaign(sql: Sql, campaignId: string, subscriber: Subscriber, known?: ReadonlySet<number>): Promise<number> {
  const id = checkedCampaignId(campaignId);
  const positions = known ?? (await positionsOf(sql, id, subscriber.id));
  let changed = 0;
  if (positions.size > 0) {
    await sql.begin(async (tx: TxSql) => {
      await tx`insert into canale_campaign_dropped (campaign_id, position) select ${id}, unnest(${[...positions]}::int[]) on conflict do nothing`;
      await tx`select pg_notify(${DROPPED_CHANNEL}, ${id})`;
    });
    changed++;
  }
  if (await scrubJournalRows(sql, id, erasureTarget(subscriber), positions)) changed++;
  if (positions.size > 0) {
    const forgotten = await sql`update canale_campaign_recipients set subscriber_id = ${FORGOTTEN_ID} where campaign_id = ${id} and subscriber_id = ${subscriber.id}`;
    if (forgotten.count > 0) changed++;
  }
  return changed;
}

async function positionsOf(sql: Sql, campaignId: string, subscriberId: string): Promise<Set<number>> {
  const rows = await tuples<[number]>(sql`select position from canale_campaign_recipients where campaign_id = ${campaignId} and subscriber_id = ${subscriberId}`);
  return new Set(rows.map(([p]) => p));
}

/**
 * Erases a person from every campaign: those whose frozen list has them (found by the subscriber index) and those
 * whose journal holds their contacts (an SMTP reply about another recipient can quote them), each as
 * eraseFromCampaign does. Runs beside sends and the webhook server, as the home's does. Returns how many places changed.
 */
export async function eraseFromCampaigns(sql: Sql, subscriber: Subscriber): Promise<number> {
  const listed = await tuples<[string, number[]]>(sql`select campaign_id, array_agg(position) from canale_campaign_recipients
    where subscriber_id = ${subscriber.id} group by campaign_id`);
  const needles = needleTexts(erasureTarget(subscriber));
  const mentioned =
    needles.length === 0
      ? []
      : await tuples<[string]>(sql`select distinct campaign_id from canale_campaign_journal
          where exists (select 1 from unnest(${needles}::text[]) n where strpos(line, n) > 0)`);
  const positions = new Map<string, ReadonlySet<number>>(listed.map(([id, at]) => [id, new Set(at)]));
  for (const [id] of mentioned) if (!positions.has(id)) positions.set(id, new Set());
  let changed = 0;
  for (const id of [...positions.keys()].filter(isCampaignId).sort()) changed += await eraseFromCampaign(sql, id, subscriber, positions.get(id));
  return changed;
}
