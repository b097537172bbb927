import { randomBytes } from 'node:crypto';
import * as nodeFs from 'node:fs';
import { readFile, rm, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import lockfile from 'proper-lockfile';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from './atomic-file.js';

/** This process, and a way to tell whether another process on this machine still exists (Deps.processes). */
export interface LockOwner {
  readonly pid: number;
  alive(pid: number): boolean;
}

/** What `<path>.lock/holder.json` says: the process that holds the lock, and a nonce telling its lock from the next. */
export interface LockRecord {
  readonly pid?: number;
  readonly host?: string;
  readonly nonce?: string;
}

const HOLDER_FILE = 'holder.json';
/**
 * A lock folder without a whole `holder.json` this long after it was last touched was left by a canale killed between
 * making the folder and renaming its record into it (microseconds), or between removing the record and the folder.
 */
export const HOLDERLESS_MS = 1_000;

type Callback = (error: NodeJS.ErrnoException | null) => void;

async function readRecord(lockDir: string): Promise<LockRecord | undefined> {
  try {
    const parsed: unknown = JSON.parse(await readFile(join(lockDir, HOLDER_FILE), 'utf8'));
    return typeof parsed === 'object' && parsed !== null ? (parsed as LockRecord) : undefined;
  } catch {
    // missing (the folder is being made or removed, or its maker was killed) or not whole (an older canale writing it)
    return undefined;
  }
}

/** The file-system functions proper-lockfile is given for one lock, and what they learnt while taking it. */
export interface LockFs {
  readonly fs: Record<string, unknown>;
  /** The lock folder's mtime when this process made it (the file system's clock, not this process's). */
  readonly takenAtMs: () => number;
}

/**
 * proper-lockfile's file system for a lock of this process: the lock folder is made 0700 (like every folder in the
 * home) and, unless `isRecorded` is false, gets `holder.json` (pid and host when `owner` is given, and a nonce) before
 * proper-lockfile goes on, so the folder's mtime it records already includes the file. The record is written to a
 * temporary file in the folder and renamed into place: a taker reads it whole or not at all, and a folder without it
 * for more than HOLDERLESS_MS was left by a process killed while making it (takeOverAbandoned). Removing the folder
 * removes `holder.json` first — only when the nonce is this lock's, so a holder that was taken over never removes
 * its successor's lock.
 */
export function lockFileSystem(owner: LockOwner | undefined, isRecorded = true): LockFs {
  const nonce = randomBytes(8).toString('hex');
  const holder = owner === undefined ? { host: hostname(), nonce } : { pid: owner.pid, host: hostname(), nonce };
  const record = isRecorded ? `${JSON.stringify(holder)}\n` : undefined;
  let takenAtMs = 0;
  const isOurs = (text: string | undefined): boolean => text === undefined || record === undefined || text === record;
  const fs = {
    ...nodeFs,
    mkdir(path: string, callback: Callback) {
      nodeFs.mkdir(path, { mode: PRIVATE_DIR_MODE }, (error) => {
        if (error) return callback(error);
        const done = (): void =>
          nodeFs.stat(path, (statError, stats) => {
            if (!statError) takenAtMs = stats.mtimeMs;
            callback(null);
          });
        if (record === undefined) return done();
        const temporary = join(path, `.${HOLDER_FILE}.${nonce}.tmp`);
        const fail = (writeError: NodeJS.ErrnoException): void => nodeFs.rm(path, { recursive: true, force: true }, () => callback(writeError));
        nodeFs.writeFile(temporary, record, { mode: PRIVATE_FILE_MODE, flag: 'wx' }, (writeError) => {
          if (writeError) return fail(writeError);
          nodeFs.rename(temporary, join(path, HOLDER_FILE), (renameError) => (renameError ? fail(renameError) : done()));
        });
      });
    },
    rmdir(path: string, callback: Callback) {
      nodeFs.readFile(join(path, HOLDER_FILE), 'utf8', (_readError, text?: string) => {
        if (!isOurs(text)) return callback(null);
        nodeFs.rm(join(path, HOLDER_FILE), { force: true }, () => nodeFs.rmdir(path, callback));
      });
    },
    rmdirSync(path: string) {
      let text: string | undefined;
      try {
        text = nodeFs.readFileSync(join(path, HOLDER_FILE), 'utf8');
      } catch {
        text = undefined;
      }
      if (!isOurs(text)) return;
      nodeFs.rmSync(join(path, HOLDER_FILE), { force: true });
      nodeFs.rmdirSync(path);
    },
  };
  return { fs, takenAtMs: () => takenAtMs };
}

/** Whether the holder is a process of this machine that no longer exists. */
function isGone(record: LockRecord | undefined, owner: LockOwner | undefined): boolean {
  return owner !== undefined && record?.pid !== undefined && record.host === hostname() && record.pid !== owner.pid && !owner.alive(record.pid);
}

/**
 * Called when the lock on `path` is held by someone else: removes it when it is abandoned — its holder was a process
 * of this machine that is gone (a `kill -9`, a crash: at once), it has no `holder.json` and was not touched for
 * HOLDERLESS_MS (its maker was killed while making it), or nobody kept it fresh for `staleMs` (a holder on another
 * machine). Returns true when the lock was removed (or had been freed
 * meanwhile), so the caller tries again at once. A live holder, or one on another machine, is never touched.
 *
 * Takers exclude each other with a short second lock (`<path>.lock-takeover`, proper-lockfile's, stale after 10 s),
 * and read `holder.json` again under it: two processes that both saw a dead holder never remove each other's lock.
 * What is removed is the lock judged, seen again unchanged (folder and holder) after the judgement: a lock released
 * by a holder that then exited, and taken again meanwhile, is never removed for the first holder's death.
 */
export async function takeOverAbandoned(path: string, staleMs: number, owner: LockOwner | undefined): Promise<boolean> {
  const lockDir = `${path}.lock`;
  const mutex = `${path}.lock-takeover`;
  // no record in the mutex: proper-lockfile removes a stale one itself, through rmdir, which keeps others' records
  const mutexFs = lockFileSystem(undefined, false);
  let release: () => Promise<void>;
  try {
    // stale after 10 s: a taker that died holding it delays the others that long; a shorter time let two takers in at
    // once on a loaded machine, whose heartbeats lagged
    release = await lockfile.lock(mutex, { lockfilePath: mutex, realpath: false, stale: 10_000, retries: 0, fs: mutexFs.fs, onCompromised: () => undefined });
  } catch (error) {
    if ((error as { code?: string }).code === 'ELOCKED') return false;
    throw error;
  }
  try {
    const found = await stat(lockDir).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    if (found === undefined) return true;
    // judged on this one look at the lock: a lock that is missing now and made again a moment later is not removed.
    // Only a taker holding the mutex removes a lock not its own, so the abandoned one found here is still the one there.
    const record = await readRecord(lockDir);
    const now = mutexFs.takenAtMs();
    const isHolderless = record === undefined && now > 0 && found.mtimeMs < now - HOLDERLESS_MS;
    const abandoned = isGone(record, owner) || isHolderless || (now > 0 && found.mtimeMs < now - staleMs);
    if (!abandoned) return false;
    // The look above may span two locks: its holder released it (and exited, so it reads as gone) while a new holder
    // made it again — releasing and taking need no mutex. Only the lock judged may go: the same folder, the same
    // holder. Once that is seen, nobody but a taker (excluded by the mutex) can remove or replace it: its holder is
    // gone, or has not touched it for staleMs.
    const again = await stat(lockDir).catch(() => undefined);
    if (again === undefined) return true;
    if (again.ino !== found.ino || again.mtimeMs !== found.mtimeMs || (await readRecord(lockDir))?.nonce !== record?.nonce) return true;
    await rm(lockDir, { recursive: true, force: true });
    return true;
  } finally {
    await release().catch(() => undefined);
  }
}
