import { setTimeout as sleep } from 'node:timers/promises';
import lockfile from 'proper-lockfile';
import { CanaleError } from '../../core/errors.js';
import { lockFileSystem, takeOverAbandoned, type LockOwner } from './lock-holder.js';

export type { LockOwner } from './lock-holder.js';

export interface LockOptions {
  /** How long to wait for another canale to finish before giving up with exit 4. */
  readonly waitMs: number;
  /** How old the lock's heartbeat must be before a holder that cannot be checked is taken over (default 30 s). */
  readonly staleMs?: number;
  /** This process: recorded in the lock, so that another canale on this machine can tell when it is gone. */
  readonly owner?: LockOwner;
}

/** What `work` is given while it holds the lock. */
export interface HeldLock {
  /** Throws LOCK_LOST when the lock was taken from this process (it was frozen past the stale time): call before writing. */
  readonly assertHeld: () => void;
  /** When the lock was taken, by the file system's clock: files left by earlier holders are older. */
  readonly takenAtMs: number;
}

/**
 * proper-lockfile never removes a lock by itself: every lock that is not this process's is removed by
 * takeOverAbandoned, which first checks its holder.
 */
const NEVER_STALE = 1e15;

/**
 * Runs `work` while holding an exclusive lock on `path` shared by every canale process on the machine (a `path.lock`
 * folder, 0700, as proper-lockfile makes it, with `holder.json` in it: pid and host when `owner` is given). A lock
 * whose holder was a process of this machine that is gone (`kill -9`, a crash) is taken over at once, and so is one
 * left without `holder.json` for a second (its maker killed while making it); one whose holder cannot be checked
 * (another machine) once its heartbeat is `staleMs` old; a live holder is waited for.
 * When the lock cannot be had within `waitMs`: CanaleError `BUSY`, exit 4.
 */
export async function withFileLock<T>(path: string, options: LockOptions, work: (lock: HeldLock) => Promise<T>): Promise<T> {
  const staleMs = options.staleMs ?? 30_000;
  const lockFs = lockFileSystem(options.owner);
  let compromised: Error | undefined;
  let release: (() => Promise<void>) | undefined;
  let waited = 0;
  for (let attempt = 0; release === undefined; attempt++) {
    try {
      release = await lockfile.lock(path, {
        realpath: false,
        stale: NEVER_STALE,
        update: Math.round(staleMs / 6),
        retries: 0,
        fs: lockFs.fs,
        onCompromised: (error) => {
          compromised = error;
        },
      });
    } catch (error) {
      if ((error as { code?: string }).code !== 'ELOCKED') throw error;
      if (await takeOverAbandoned(path, staleMs, options.owner)) continue;
      if (waited >= options.waitMs) {
        throw new CanaleError('BUSY', `another canale is changing ${path} — nothing was done; try again in a moment`, { exit: 'busy' });
      }
      const delay = Math.min(100, Math.round(10 * 1.3 ** attempt));
      await sleep(delay);
      waited += delay;
    }
  }
  const assertHeld = (): void => {
    if (compromised !== undefined) {
      throw new CanaleError('LOCK_LOST', `the lock on ${path} was lost while working (${compromised.message}) — nothing was written; run the command again`);
    }
  };
  try {
    return await work({ assertHeld, takenAtMs: lockFs.takenAtMs() });
  } finally {
    await release().catch(() => undefined);
  }
}
