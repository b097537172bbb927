import { join } from 'node:path';
import { CanaleError } from '../../core/errors.js';
import type { CampaignStore, DamagedCampaign } from '../../core/ports.js';

/**
 * doctor's line about the campaign folders: every one that cannot be read (no or a broken campaign.json, a recipient
 * list missing, unreadable or not of its record's length), named with how to clear it. The recipient lists are read
 * whole, as a report would read them. Nothing when every folder can be read and no freeze was left unfinished.
 */
export async function campaignsCheck(campaigns: CampaignStore, home: string): Promise<{ name: string; ok: boolean | 'warn'; detail: string } | undefined> {
  let scanned: Awaited<ReturnType<CampaignStore['scan']>>;
  try {
    scanned = await campaigns.scan();
  } catch (error) {
    return { name: 'campaigns', ok: false, detail: `${join(home, 'campaigns')} cannot be read: ${error instanceof Error ? error.message : String(error)}` };
  }
  const damaged: DamagedCampaign[] = [...scanned.damaged];
  for (const campaign of scanned.campaigns) {
    try {
      await campaigns.recipients(campaign);
    } catch (error) {
      if (!(error instanceof CanaleError && error.code === 'CAMPAIGN_DAMAGED')) throw error;
      damaged.push({ id: campaign.id, problem: error.message });
    }
  }
  const leftovers = (await campaigns.leftovers()).length;
  const unfinished = leftovers === 0 ? '' : `; ${leftovers} unfinished freeze folder(s) (.tmp-…, left by a send that was killed) are removed by the next send`;
  // like the schedules' line, said only when there is something to say
  if (damaged.length === 0) return leftovers === 0 ? undefined : { name: 'campaigns', ok: true, detail: `${scanned.campaigns.length} campaign(s), every one readable${unfinished}` };
  const each = damaged.map((d) => `${d.id}: ${d.problem} (${campaigns.whereIs(d.id)})`).join('; ');
  return {
    name: 'campaigns',
    ok: false,
    detail: `${damaged.length} damaged campaign folder(s) — ${each} — clear each with: canale campaigns cancel ID --yes (removes its folder), or remove the folder by hand${unfinished}`,
  };
}

/** How far back doctor looks for account trouble: older trouble was dealt with, or is in that campaign's report. */
const TROUBLE_DAYS = 7;

/**
 * doctor's line about account trouble WhatsApp reported in receipts (payment, a policy block, a locked account…):
 * each recent campaign it stopped, with what to do. Nothing when there is none.
 */
export async function accountTroubleCheck(store: CampaignStore, now: Date): Promise<{ name: string; ok: boolean | 'warn'; detail: string } | undefined> {
  const { campaigns } = await store.scan().catch(() => ({ campaigns: [] }));
  const since = now.getTime() - TROUBLE_DAYS * 86_400_000;
  const found: string[] = [];
  for (const campaign of campaigns) {
    const trouble = await store.lastTrouble(campaign.id);
    if (trouble === undefined || Date.parse(trouble.at) < since) continue;
    const then = campaign.status === 'cancelled' || campaign.status === 'completed' ? '' : ` — fix it in WhatsApp Manager, then: canale send --resume ${campaign.id}`;
    found.push(`${campaign.id} (${campaign.status}): ${trouble.code} at ${trouble.at}: ${trouble.reason}${then}`);
  }
  if (found.length === 0) return undefined;
  return { name: 'whatsapp account', ok: false, detail: `WhatsApp reported trouble with the account in receipts of ${found.length} campaign(s): ${found.join('; ')}` };
}
