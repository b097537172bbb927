import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Delivery } from '../../core/audience.js';
import type { Campaign, CampaignId } from '../../core/campaign.js';
import type { JournalReplay } from '../../core/dispatch/journal-state.js';
import { CanaleError } from '../../core/errors.js';
import { isCampaignId } from '../../core/ids.js';
import { buildReport, type CampaignReport } from '../../core/report.js';
import { isChannel, type Channel, type SubscriberId } from '../../core/subscriber.js';
import { replayJournal } from '../journal/journal-file.js';

/**
 * Where a campaign's files are: `<home>/campaigns/<id>/`. They hold subscriber ids, never contacts. Commands check
 * the ids people type (core/ids.ts); this refuses anything else that is not a plain id too (`../x`, `/etc`, `.tmp`),
 * so no caller can turn an id into a path outside the campaigns folder.
 */
export function campaignDir(home: string, id: CampaignId): string {
  return join(home, 'campaigns', checkedCampaignId(id));
}

/** The id, when it is a plain campaign id; else CAMPAIGN_ID_INVALID, and no campaign is looked for. */
export function checkedCampaignId(id: string): CampaignId {
  if (!isCampaignId(id)) throw new CanaleError('CAMPAIGN_ID_INVALID', `${JSON.stringify(id.slice(0, 60))} is not a campaign id (cmp_ followed by letters and digits): no campaign folder is looked for`);
  return id as CampaignId;
}

/** What a forgotten subscriber's id reads as in a frozen list: the counts stay true, the person is gone. */
export const FORGOTTEN_ID = 'forgotten';

export const recipientsFile = (dir: string): string => join(dir, 'recipients.jsonl');
export const journalFile = (dir: string): string => join(dir, 'journal.jsonl');

/** One `["sub_…","whatsapp"]` line of the frozen list, in send order. */
export function* recipientLines(deliveries: readonly Delivery[]): Generator<string> {
  for (const d of deliveries) yield `${JSON.stringify([d.subscriberId, d.channel])}\n`;
}

/** The frozen list, as written; a line that is not a recipient is a damaged campaign (CAMPAIGN_DAMAGED), never a crash. */
export async function readRecipients(dir: string): Promise<Delivery[]> {
  const deliveries: Delivery[] = [];
  const input = createReadStream(recipientsFile(dir), { encoding: 'utf8', highWaterMark: 1 << 20 });
  let line = 0;
  for await (const text of createInterface({ input, crlfDelay: Infinity })) {
    line++;
    if (text === '') continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (!Array.isArray(parsed) || typeof parsed[0] !== 'string' || typeof parsed[1] !== 'string' || !isChannel(parsed[1])) {
      throw new CanaleError('CAMPAIGN_DAMAGED', `recipients.jsonl line ${line} is not a recipient`);
    }
    // an id that is not a subscriber's is one forget overwrote (`forgotten…`, as long as the id was)
    const id = parsed[0].startsWith('sub_') ? parsed[0] : FORGOTTEN_ID;
    deliveries.push({ subscriberId: id as SubscriberId, channel: parsed[1] as Channel });
  }
  return deliveries;
}

/**
 * A campaign's frozen list, checked against its record: a list that cannot be read, or not of the length the record
 * says, is thrown as CAMPAIGN_DAMAGED (the message says what is wrong). A campaign of nobody may have none.
 */
export async function readFrozenList(home: string, campaign: Campaign): Promise<Delivery[]> {
  let deliveries: Delivery[];
  try {
    deliveries = await readRecipients(campaignDir(home, campaign.id));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && campaign.recipients === 0) return [];
    if (error instanceof CanaleError) throw error;
    throw new CanaleError('CAMPAIGN_DAMAGED', `its recipient list (recipients.jsonl) cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  if (deliveries.length !== campaign.recipients) {
    throw new CanaleError('CAMPAIGN_DAMAGED', `its recipient list (recipients.jsonl) has ${deliveries.length} recipient(s), its record says ${campaign.recipients}`);
  }
  return deliveries;
}

/** A campaign's frozen list (readFrozenList), its journal replayed, and the report built from them, as they stand now. */
export async function readCampaignState(home: string, campaign: Campaign): Promise<{ deliveries: Delivery[]; replay: JournalReplay; report: CampaignReport }> {
  const deliveries = await readFrozenList(home, campaign);
  const replay = await replayJournal(journalFile(campaignDir(home, campaign.id)), deliveries.length);
  return { deliveries, replay, report: buildReport(campaign, deliveries.map((d) => d.channel), replay) };
}
