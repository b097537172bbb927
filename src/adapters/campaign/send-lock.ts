import { readFile, rm } from 'node:fs/promises';
import lockfile from 'proper-lockfile';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from '../fs/atomic-file.js';
import { withFileLock } from '../fs/file-lock.js';
import type { Campaign } from '../../core/campaign.js';
import { CanaleError } from '../../core/errors.js';

/** Who holds a process lock, as `<name>.json` says. */
export interface Holder {
  readonly campaign?: string;
  readonly startedAt?: string;
  readonly pid?: number;
  readonly host?: string;
}

/** A send's heartbeat older than this means its process died: the lock is taken over. */
const STALE_MS = 10_000;

/** This process and a way to tell whether another one still exists (Deps.processes). */
export interface LockOwner {
  readonly pid: number;
  alive(pid: number): boolean;
}

async function readHolder(path: string): Promise<Holder> {
  return readFile(path, 'utf8').then(
    (text) => JSON.parse(text) as Holder,
    () => ({}),
  );
}

/** Who takes a process lock: what for, since when, and this process (to tell a crashed holder from a live one). */
export interface LockHolder {
  readonly campaign?: string;
  readonly startedAt?: string;
  readonly owner?: LockOwner;
  readonly onWait?: (message: string) => void;
}

/**
 * Runs `work` holding the home's lock `name` (proper-lockfile's, on `<home>/<name>`), with `<name>.json` saying who
 * holds it. When the holder was a process on this machine that no longer exists (a `kill -9`, a power cut), its lock
 * is taken over at once (the lock folder names its holder: withFileLock); a lock without that record (an older
 * canale's) once its heartbeat is stale — `onWait` says so, since that takes a few seconds. Held by a live process:
 * `busy(holder)` is thrown.
 */
export async function withProcessLock<T>(home: string, name: string, holder: LockHolder, work: () => Promise<T>, busy: (current: Holder) => Error): Promise<T> {
  const { owner } = holder;
  const path = join(home, name);
  const holderFile = join(home, `${name}.json`);
  const locked = (waitMs: number) =>
    withFileLock(path, { waitMs, staleMs: STALE_MS, ...(owner === undefined ? {} : { owner }) }, async () => {
      const record: Holder = { ...(holder.campaign === undefined ? {} : { campaign: holder.campaign }), ...(holder.startedAt === undefined ? {} : { startedAt: holder.startedAt }), ...(owner === undefined ? {} : { pid: owner.pid, host: hostname() }) };
      await writeFileAtomic(holderFile, `${JSON.stringify(record)}\n`);
      try {
        return await work();
      } finally {
        await rm(holderFile, { force: true });
      }
    });
  try {
    return await locked(200);
  } catch (error) {
    if (!(error instanceof CanaleError && error.code === 'BUSY')) throw error;
    const current = await readHolder(holderFile);
    if (owner !== undefined && current.pid !== undefined && current.host === hostname() && !owner.alive(current.pid)) {
      holder.onWait?.(`${current.campaign === undefined ? `canale (process ${current.pid})` : `the send of campaign ${current.campaign} (process ${current.pid})`} stopped without releasing its lock; taking it over…`);
      return locked(STALE_MS + 5_000).catch((again: unknown) => {
        throw again instanceof CanaleError && again.code === 'BUSY' ? busy(current) : again;
      });
    }
    throw busy(current);
  }
}

/**
 * One send at a time per home: a second `canale send` while one runs exits 4 and names the campaign that holds
 * the lock (`sending.json` says who holds it); a crashed send's lock is taken over (withProcessLock).
 */
export function withSendLock<T>(home: string, holder: LockHolder & { readonly campaign: string }, work: () => Promise<T>): Promise<T> {
  return withProcessLock(home, 'sending', holder, work, sendBusyError);
}

/** SEND_BUSY, exit 4: the send lock is held by a live send, named when its record says which. */
export function sendBusyError(holder: Holder): CanaleError {
  const who = holder.campaign === undefined ? '' : ` (campaign ${holder.campaign}${holder.startedAt === undefined ? '' : `, started ${holder.startedAt}`})`;
  return new CanaleError(
    'SEND_BUSY',
    `another send is running${who} — nothing was done; try again when it ends (see: canale campaigns list)`,
    { exit: 'busy' },
  );
}

/** The campaign whose send holds the lock now, if any (a holder on this machine that no longer runs is none). */
export async function sendingNow(home: string, processes: LockOwner | undefined): Promise<string | undefined> {
  const held = await lockfile.check(join(home, 'sending'), { realpath: false, stale: STALE_MS }).catch(() => false);
  if (!held) return undefined;
  const holder = await readHolder(join(home, 'sending.json'));
  const gone = processes !== undefined && holder.pid !== undefined && holder.host === hostname() && !processes.alive(holder.pid);
  return gone ? undefined : holder.campaign;
}

/**
 * Campaigns as they really stand: one recorded as `sending` whose send no longer runs (killed, crashed, a power cut)
 * is shown `interrupted`, with what to do, rather than "sending" for ever.
 */
export async function withLiveStatus(home: string, campaigns: readonly Campaign[], processes?: LockOwner): Promise<Campaign[]> {
  if (!campaigns.some((c) => c.status === 'sending')) return [...campaigns];
  return withRunningStatus(campaigns, await sendingNow(home, processes));
}

/** The campaigns with every `sending` one but `running` (the send that holds the lock) shown `interrupted`. */
export function withRunningStatus(campaigns: readonly Campaign[], running: string | undefined): Campaign[] {
  return campaigns.map((c) =>
    c.status === 'sending' && c.id !== running
      ? { ...c, status: 'interrupted', stopReason: `the send stopped without finishing (its process was killed or crashed) — resume it with: canale send --resume ${c.id}` }
      : c,
  );
}
