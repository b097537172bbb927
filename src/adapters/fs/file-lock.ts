import lockfile from 'proper-lockfile';
import { CanaleError } from '../../core/errors.js';

export interface LockOptions {
  /** How long to wait for another canale to finish before giving up with exit 4. */
  readonly waitMs: number;
  /** How old the lock's heartbeat must be before a crashed holder's lock is taken over (default 30 s). */
  readonly staleMs?: number;
}

/**
 * Runs `work` while holding an exclusive lock on `path` shared by every canale process on the machine
 * (a `path.lock` directory, as proper-lockfile does it). A lock left by a crashed process is taken over once
 * it is stale (`staleMs` without a heartbeat). `work` calls `assertHeld()` before it writes. When the lock cannot be had in time: CanaleError `BUSY`, exit 4.
 */
export async function withFileLock<T>(
  path: string,
  options: LockOptions,
  work: (lock: { readonly assertHeld: () => void }) => Promise<T>,
): Promise<T> {
  let compromised: Error | undefined;
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(path, {
      realpath: false,
      stale: options.staleMs ?? 30_000,
      update: Math.round((options.staleMs ?? 30_000) / 6),
      retries: { retries: Math.max(1, Math.ceil(options.waitMs / 100)), minTimeout: 10, maxTimeout: 100, factor: 1.3, randomize: true },
      onCompromised: (error) => {
        compromised = error;
      },
    });
  } catch (error) {
    if ((error as { code?: string }).code === 'ELOCKED') {
      throw new CanaleError('BUSY', `another canale is changing ${path} — nothing was done; try again in a moment`, {
        exit: 'busy',
      });
    }
    throw error;
  }
  const assertHeld = (): void => {
    if (compromised !== undefined) {
      throw new CanaleError('LOCK_LOST', `the lock on ${path} was lost while working (${compromised.message}) — nothing was written; run the command again`);
    }
  };
  try {
    return await work({ assertHeld });
  } finally {
    await release().catch(() => undefined);
  }
}
