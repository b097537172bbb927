import { randomBytes } from 'node:crypto';
import { access, mkdir, open, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Delivery } from '../../core/audience.js';
import type { Campaign } from '../../core/campaign.js';
import { CanaleError } from '../../core/errors.js';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE, syncDirectory } from '../fs/atomic-file.js';
import { campaignDir, journalFile, recipientLines, recipientsFile } from './campaign-files.js';
import { campaignJson } from './campaign-store.js';

/** A freeze being built, or left by one that was killed: `campaigns/.tmp-<id>-<random>`, never read as a campaign. */
export const FREEZE_PREFIX = '.tmp-';

const exists = (path: string): Promise<boolean> => access(path).then(() => true, () => false);

async function writeSynced(path: string, chunks: Iterable<string>): Promise<void> {
  const handle = await open(path, 'wx', PRIVATE_FILE_MODE);
  try {
    let text = '';
    for (const chunk of chunks) {
      text += chunk;
      if (text.length >= 1 << 20) {
        await handle.write(text);
        text = '';
      }
    }
    if (text !== '') await handle.write(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Removes the `.tmp-…` folders of freezes that were killed (`kill -9`, a full disk) before they were renamed into
 * place. Only under the send lock: no freeze is under way then.
 */
export async function removeFreezeLeftovers(home: string): Promise<number> {
  const root = join(home, 'campaigns');
  const names = (await readdir(root).catch(() => [] as string[])).filter((name) => name.startsWith(FREEZE_PREFIX));
  await Promise.all(names.map((name) => rm(join(root, name), { recursive: true, force: true })));
  return names.length;
}

/**
 * Freezes a campaign atomically (DESIGN §5): its record, its recipient list and an empty journal are written and
 * flushed in a temporary folder inside `campaigns/`, which is then renamed into place and the rename flushed. A
 * crash at any instant leaves either the whole campaign or a `.tmp-…` folder no reader takes for one, which the
 * next send removes. The caller holds the send lock.
 */
export async function freezeCampaign(home: string, campaign: Campaign, deliveries: readonly Delivery[]): Promise<void> {
  const root = join(home, 'campaigns');
  await mkdir(root, { recursive: true, mode: PRIVATE_DIR_MODE });
  await removeFreezeLeftovers(home);
  const target = campaignDir(home, campaign.id);
  const building = join(root, `${FREEZE_PREFIX}${campaign.id}-${randomBytes(4).toString('hex')}`);
  await mkdir(building, { mode: PRIVATE_DIR_MODE });
  try {
    await writeSynced(recipientsFile(building), recipientLines(deliveries));
    await writeSynced(journalFile(building), []);
    await writeSynced(join(building, 'campaign.json'), [campaignJson(campaign)]);
    await syncDirectory(building);
    if (await exists(target)) {
      // a folder of this id without its record is what a freeze made before freezes were atomic left behind (a
      // schedule's claimed slot): nothing was sent from it, so it is replaced; a real campaign never is
      if (await exists(join(target, 'campaign.json'))) throw new CanaleError('CAMPAIGN_EXISTS', `campaign ${campaign.id} already exists at ${target}`);
      await rm(target, { recursive: true, force: true });
    }
    await rename(building, target);
  } catch (error) {
    await rm(building, { recursive: true, force: true });
    throw error;
  }
  await syncDirectory(root);
}
