import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { campaignDir, readFrozenList } from '../../adapters/campaign/campaign-files.js';
import { FREEZE_PREFIX } from '../../adapters/campaign/campaign-freeze.js';
import { scanCampaigns, type DamagedCampaign } from '../../adapters/campaign/campaign-store.js';
import type { CampaignId } from '../../core/campaign.js';
import { CanaleError } from '../../core/errors.js';

/**
 * doctor's line about the campaign folders: every one that cannot be read (no or a broken campaign.json, a recipient
 * list missing, unreadable or not of its record's length), named with how to clear it. The recipient lists are read
 * whole, as a report would read them. Nothing when every folder can be read and no freeze was left unfinished.
 */
export async function campaignsCheck(home: string): Promise<{ name: string; ok: boolean | 'warn'; detail: string } | undefined> {
  let scanned: Awaited<ReturnType<typeof scanCampaigns>>;
  try {
    scanned = await scanCampaigns(home);
  } catch (error) {
    return { name: 'campaigns', ok: false, detail: `${join(home, 'campaigns')} cannot be read: ${error instanceof Error ? error.message : String(error)}` };
  }
  const damaged: DamagedCampaign[] = [...scanned.damaged];
  for (const campaign of scanned.campaigns) {
    try {
      await readFrozenList(home, campaign);
    } catch (error) {
      if (!(error instanceof CanaleError && error.code === 'CAMPAIGN_DAMAGED')) throw error;
      damaged.push({ id: campaign.id, problem: error.message });
    }
  }
  const leftovers = (await readdir(join(home, 'campaigns')).catch(() => [] as string[])).filter((n) => n.startsWith(FREEZE_PREFIX)).length;
  const unfinished = leftovers === 0 ? '' : `; ${leftovers} unfinished freeze folder(s) (${FREEZE_PREFIX}…, left by a send that was killed) are removed by the next send`;
  // like the schedules' line, said only when there is something to say
  if (damaged.length === 0) return leftovers === 0 ? undefined : { name: 'campaigns', ok: true, detail: `${scanned.campaigns.length} campaign(s), every one readable${unfinished}` };
  const each = damaged.map((d) => `${d.id}: ${d.problem} (${campaignDir(home, d.id as CampaignId)})`).join('; ');
  return {
    name: 'campaigns',
    ok: false,
    detail: `${damaged.length} damaged campaign folder(s) — ${each} — clear each with: canale campaigns cancel ID --yes (removes its folder), or remove the folder by hand${unfinished}`,
  };
}
