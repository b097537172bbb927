import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../../adapters/fs/atomic-file.js';
import { withFileLock } from '../../adapters/fs/file-lock.js';
import { CanaleError } from '../../core/errors.js';

/**
 * One send at a time per home: a second `canale send` while one runs exits 4 and names the campaign that holds
 * the lock. The lock is proper-lockfile's (taken over when stale after a crash); `sending.json` says who holds it.
 */
export async function withSendLock<T>(home: string, campaignId: string, startedAt: string, work: () => Promise<T>): Promise<T> {
  const path = join(home, 'sending');
  const holder = join(home, 'sending.json');
  try {
    return await withFileLock(path, { waitMs: 200 }, async () => {
      await writeFileAtomic(holder, `${JSON.stringify({ campaign: campaignId, startedAt })}\n`);
      try {
        return await work();
      } finally {
        await rm(holder, { force: true });
      }
    });
  } catch (error) {
    if (error instanceof CanaleError && error.code === 'BUSY') {
      const current = await readFile(holder, 'utf8').then(
        (text) => JSON.parse(text) as { campaign?: string; startedAt?: string },
        () => ({}) as { campaign?: string; startedAt?: string },
      );
      throw new CanaleError(
        'SEND_BUSY',
        `another send is running${current.campaign ? ` (campaign ${current.campaign}, started ${current.startedAt ?? '?'})` : ''} — nothing was done; try again when it ends (see: canale campaigns list)`,
        { exit: 'busy' },
      );
    }
    throw error;
  }
}
