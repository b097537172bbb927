import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { erasureTarget, scrubJournalLine, scrubIdLine, type ErasureTarget } from '../../core/erasure/line-scrub.js';
import { CanaleError } from '../../core/errors.js';
import type { Subscriber } from '../../core/subscriber.js';
import type { PersonalDataHolder } from '../erasure.js';
import { isTemporaryFile } from '../fs/atomic-file.js';
import { scrubFileInPlace } from '../fs/scrub-in-place.js';
import type { HomePaths } from '../home.js';
import { journalFile, recipientsFile } from './campaign-files.js';
import { FREEZE_PREFIX, removeFreezeLeftovers } from './campaign-freeze.js';
import { appendDropped } from './dropped-feed.js';
import { withSendLock } from './send-lock.js';

const encoder = new TextEncoder();

/** The positions `subscriberId` has in a campaign's frozen list (read only). */
async function positionsOf(dir: string, subscriberId: string): Promise<Set<number>> {
  const positions = new Set<number>();
  await scrubFileInPlace(recipientsFile(dir), [encoder.encode(JSON.stringify(subscriberId))], (_line, hasNeedle, index) => {
    if (hasNeedle) positions.add(index);
    return false;
  });
  return positions;
}

/**
 * Scrubs a campaign's journal where it lies (a running send and the webhook server append to it): the records of
 * `positions` lose the provider's message id and reply, every record the contacts of `target`.
 */
export function scrubJournal(dir: string, target: ErasureTarget, positions: ReadonlySet<number>): Promise<boolean> {
  return scrubFileInPlace(journalFile(dir), target.needles, (line, hasNeedle) => scrubJournalLine(line, target, positions, hasNeedle));
}

/**
 * Erases a subscriber from one campaign folder: their positions go to its dropped list first (a send running it
 * stops before their message: DroppedWatch), then the journal is scrubbed, then their id in the frozen list becomes
 * `forgotten` — last, so a forget that is interrupted finds the positions again. Returns how many files changed.
 */
export async function eraseFromCampaign(dir: string, subscriber: Subscriber): Promise<number> {
  const positions = await positionsOf(dir, subscriber.id);
  let changed = 0;
  if (positions.size > 0) {
    await appendDropped(dir, positions);
    changed++;
  }
  if (await scrubJournal(dir, erasureTarget(subscriber), positions)) changed++;
  const id = encoder.encode(JSON.stringify(subscriber.id));
  if (positions.size > 0 && (await scrubFileInPlace(recipientsFile(dir), [id], (line, hasNeedle) => hasNeedle && scrubIdLine(line, subscriber.id)))) changed++;
  return changed;
}

/** Copies a killed rewrite left in a campaign folder (`.journal.jsonl.<random>.tmp`…, as forget made them before it erased in place): they can hold what forget removes. */
async function removeTemporaryFiles(dir: string): Promise<number> {
  const names = (await readdir(dir).catch(() => [] as string[])).filter(isTemporaryFile);
  await Promise.all(names.map((name) => rm(join(dir, name), { force: true })));
  return names.length;
}

/**
 * Leftovers that only exist when no send runs — `.tmp-…` folders of killed freezes, temporary files of killed
 * rewrites — removed when the send lock is free; while a send holds it they may be its own work in progress, and
 * the next forget (or send) removes them.
 */
async function removeLeftovers(paths: HomePaths, ids: readonly string[]): Promise<number> {
  try {
    return await withSendLock(paths.home, { campaign: 'none: erasing a subscriber' }, async () => {
      let removed = await removeFreezeLeftovers(paths.home);
      for (const id of ids) removed += await removeTemporaryFiles(join(paths.home, 'campaigns', id));
      return removed;
    });
  } catch (error) {
    if (error instanceof CanaleError && error.code === 'SEND_BUSY') return 0;
    throw error;
  }
}

/**
 * Campaign folders (DESIGN §5): the frozen recipient list holds subscriber ids, the journal provider message ids and
 * provider replies, which can name a mailbox. Erased in place, never by replacing a file, so it runs beside a send
 * and the webhook server and loses none of their lines; damaged folders are erased like the others. Run again once
 * the store no longer holds the person, for a campaign frozen meanwhile from a plan made before.
 */
export const campaignsHolder: PersonalDataHolder = {
  name: 'campaigns',
  async erase(subscriber: Subscriber, paths: HomePaths) {
    const root = join(paths.home, 'campaigns');
    const ids = (await readdir(root).catch(() => [] as string[])).filter((name) => !name.startsWith(FREEZE_PREFIX) && !name.startsWith('.'));
    if (ids.length === 0) return 0;
    let changed = await removeLeftovers(paths, ids);
    for (const id of ids) changed += await eraseFromCampaign(join(root, id), subscriber);
    return changed;
  },
};
