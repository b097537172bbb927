import { createReadStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Delivery } from '../../core/audience.js';
import type { Campaign, CampaignId } from '../../core/campaign.js';
import type { JournalReplay } from '../../core/dispatch/journal-state.js';
import { CanaleError } from '../../core/errors.js';
import { isCampaignId } from '../../core/ids.js';
import { buildReport, type CampaignReport } from '../../core/report.js';
import type { Channel, SubscriberId } from '../../core/subscriber.js';
import { PRIVATE_DIR_MODE, writeFileAtomic } from '../fs/atomic-file.js';
import { replayJournal } from '../journal/journal-file.js';

/**
 * Where a campaign's files are: `<home>/campaigns/<id>/`. They hold subscriber ids, never contacts. Commands check
 * the ids people type (core/ids.ts); this refuses anything else that is not a plain id too (`../x`, `/etc`, `.tmp`),
 * so no caller can turn an id into a path outside the campaigns folder.
 */
export function campaignDir(home: string, id: CampaignId): string {
  if (!isCampaignId(id)) throw new CanaleError('CAMPAIGN_ID_INVALID', `${JSON.stringify(id.slice(0, 60))} is not a campaign id (cmp_ followed by letters and digits): no campaign folder is looked for`);
  return join(home, 'campaigns', id);
}

export const recipientsFile = (dir: string): string => join(dir, 'recipients.jsonl');
export const journalFile = (dir: string): string => join(dir, 'journal.jsonl');

/** Freezes the recipient list: one `["sub_…","whatsapp"]` line per delivery, in send order. */
export async function writeRecipients(dir: string, deliveries: readonly Delivery[]): Promise<void> {
  await mkdir(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  await mkdir(join(dir, '..'), { recursive: true, mode: PRIVATE_DIR_MODE });
  function* lines(): Generator<string> {
    for (const d of deliveries) yield `${JSON.stringify([d.subscriberId, d.channel])}\n`;
  }
  await writeFileAtomic(recipientsFile(dir), lines());
}

/** The frozen list, as written. */
export async function readRecipients(dir: string): Promise<Delivery[]> {
  const deliveries: Delivery[] = [];
  const input = createReadStream(recipientsFile(dir), { encoding: 'utf8', highWaterMark: 1 << 20 });
  for await (const line of createInterface({ input, crlfDelay: Infinity })) {
    if (line === '') continue;
    const [subscriberId, channel] = JSON.parse(line) as [SubscriberId, Channel];
    deliveries.push({ subscriberId, channel });
  }
  return deliveries;
}

/** A campaign's frozen list, its journal replayed, and the report built from them, as they stand now. */
export async function readCampaignState(home: string, campaign: Campaign): Promise<{ deliveries: Delivery[]; replay: JournalReplay; report: CampaignReport }> {
  const dir = campaignDir(home, campaign.id);
  const deliveries = await readRecipients(dir).catch((): Delivery[] => []);
  const replay = await replayJournal(journalFile(dir), deliveries.length);
  return { deliveries, replay, report: buildReport(campaign, deliveries.map((d) => d.channel), replay) };
}
