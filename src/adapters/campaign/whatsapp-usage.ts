import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { RecentRecipients } from '../../core/daily-quota.js';
import { DAY_MS } from '../../core/daily-quota.js';
import type { JournalRecord } from '../../core/dispatch/journal-state.js';
import type { Delivery } from '../../core/audience.js';
import type { Campaign } from '../../core/campaign.js';
import { campaignDir, FORGOTTEN_ID, journalFile, readRecipients } from './campaign-files.js';
import { listCampaigns } from './campaign-store.js';

/**
 * The citizens canale messaged on WhatsApp in the 24 hours before `now`, from the campaign journals (their `sent`
 * records), each with the time of the last message: what the account's daily tier has used. Only campaigns that
 * were active in that window are read. A forgotten subscriber still takes a place, under a key of its own.
 */
export async function recentWhatsAppRecipients(home: string, now: Date): Promise<RecentRecipients> {
  const since = now.getTime() - DAY_MS;
  const recent = new Map<string, number>();
  for (const campaign of await listCampaigns(home)) {
    if (!isWhatsAppActiveSince(campaign, since)) continue;
    const dir = campaignDir(home, campaign.id);
    const deliveries = await readRecipients(dir).catch(() => []);
    const input = createReadStream(journalFile(dir), { encoding: 'utf8', highWaterMark: 1 << 20 });
    try {
      for await (const line of createInterface({ input, crlfDelay: Infinity })) {
        if (!line.includes('"s":"sent"')) continue;
        let record: JournalRecord;
        try {
          record = JSON.parse(line) as JournalRecord;
        } catch {
          continue; // a torn last line
        }
        noteWhatsAppSent(recent, campaign, deliveries, record, since);
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  return recent;
}

/** Whether a campaign sent on WhatsApp at some time after `since` (epoch ms): only those journals are read. */
export function isWhatsAppActiveSince(campaign: Campaign, since: number): boolean {
  const ended = campaign.finishedAt === undefined ? Infinity : Date.parse(campaign.finishedAt);
  return campaign.channels.includes('whatsapp') && campaign.startedAt !== undefined && ended > since;
}

/** Counts one journal record in `recent` when it is a WhatsApp message sent after `since`, by subscriber (a forgotten one by its place). */
export function noteWhatsAppSent(recent: Map<string, number>, campaign: Campaign, deliveries: readonly Delivery[], record: JournalRecord, since: number): void {
  if (record.s !== 'sent') return;
  const delivery = deliveries[record.i];
  const at = Date.parse(record.at);
  if (delivery?.channel !== 'whatsapp' || !(at > since)) return;
  const key = delivery.subscriberId === FORGOTTEN_ID ? `${campaign.id}#${record.i}` : delivery.subscriberId;
  if (at > (recent.get(key) ?? 0)) recent.set(key, at);
}
