import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { CanaleError } from '../../core/errors.js';
import { subscriberValidator } from './store-schema.js';
import type { Subscriber } from '../../core/subscriber.js';
import { PRIVATE_FILE_MODE, syncDirectory } from '../fs/atomic-file.js';
import { asDiskError } from '../fs/disk-errors.js';

/**
 * db.json's change log (DESIGN §5): a small change to the store appends the subscribers it changed, one line per
 * change, to `db.changes.jsonl` beside it, instead of rewriting a file of a million records. The first line names
 * the db.json it applies to (identityOfFd: its size and a hash of samples of its content): a log left by a fold that was killed after its rename names the db.json before, and is
 * ignored. A torn last line (a killed append) is ignored too, and cut off by the next append.
 */
const CHANGE_LOG_NAME = 'db.changes.jsonl';

export function changeLogPath(db: string): string {
  return join(dirname(db), basename(db) === 'db.json' ? CHANGE_LOG_NAME : `${basename(db)}.changes.jsonl`);
}

const SAMPLE_BYTES = 8192;

/**
 * What identifies one version of db.json: its size and a hash of five 8 KiB samples of its content (start, quarters,
 * end) — not its modification time, which a copy without `-a`, a backup tool or a restore changes: the log of a
 * home copied with a plain `cp` still applies. Two versions that share size and samples differ only inside a record
 * of the same length, and a log applied to a db.json that already holds it changes nothing: its records are whole
 * subscribers as they are after it (a fold killed before it removed its log leaves exactly that case).
 */
export function identityOfFd(fd: number): string {
  const size = fstatSync(fd).size;
  const hash = createHash('sha256');
  const sample = Buffer.alloc(SAMPLE_BYTES);
  for (const at of [0, size / 4, size / 2, (3 * size) / 4, size - SAMPLE_BYTES]) {
    const read = readSync(fd, sample, 0, SAMPLE_BYTES, Math.max(0, Math.floor(at)));
    hash.update(sample.subarray(0, read));
  }
  return `${size}:${hash.digest('hex').slice(0, 24)}`;
}

/** identityOfFd of the file at `path`, or undefined when there is none. */
export function identityOfPath(path: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return undefined;
  }
  try {
    return identityOfFd(fd);
  } finally {
    closeSync(fd);
  }
}

/** One change as the log holds it: subscribers as they are now, and ids removed. */
interface ChangeLine {
  readonly put?: readonly Subscriber[];
  readonly del?: readonly string[];
}

/** Changes of the log, folded: each id named, in the order first named, as it is after all of them (null: removed). */
export type LogChanges = Map<string, Subscriber | null>;

/** A log read as far as its last whole line: where that ends, the file it was (for a reader that comes back), and what this read found. */
export interface LogState {
  /** The changes this read found: all of them, or, when it went on from an earlier read, those after it (an append finds none). */
  readonly changes: LogChanges;
  readonly end: number;
  /** Whole lines up to `end`, the header included: where the next one is, for a damage message. */
  readonly lines: number;
  readonly ino: bigint;
  /** Whether this read went on from an earlier one (false: read from the start, `changes` is every change). */
  readonly isContinued: boolean;
}

const NEWLINE = 0x0a;

function damaged(path: string, line: number, why: string): CanaleError {
  return new CanaleError('STORE_DAMAGED', `${path} is damaged at line ${line} (${why}) — canale will not overwrite it; fix it by hand or restore a backup`);
}

/** Applies the whole lines of `bytes` (from line `firstLine` of the file) to `changes`; returns how many bytes and lines they were. */
function applyLines(path: string, bytes: Buffer, firstLine: number, changes: LogChanges): { bytes: number; lines: number } {
  const isSubscriber = subscriberValidator(path);
  let start = 0;
  let line = firstLine;
  for (let end = bytes.indexOf(NEWLINE); end !== -1; end = bytes.indexOf(NEWLINE, start)) {
    let parsed: ChangeLine;
    try {
      parsed = JSON.parse(bytes.toString('utf8', start, end)) as ChangeLine;
    } catch {
      throw damaged(path, line, 'not valid JSON');
    }
    if (parsed === null || typeof parsed !== 'object' || (parsed.put !== undefined && !Array.isArray(parsed.put)) || (parsed.del !== undefined && !Array.isArray(parsed.del))) {
      throw damaged(path, line, 'not a change');
    }
    parsed.put?.forEach((s, i) => {
      isSubscriber(s, i);
      changes.set(s.id, s);
    });
    for (const id of parsed.del ?? []) changes.set(String(id), null);
    start = end + 1;
    line++;
  }
  return { bytes: start, lines: line - firstLine };
}

/**
 * The log of the db.json whose identity is `base`: undefined when there is none, or it belongs to another version.
 * `from` (a LogState read before) reads on from where that one ended, when the file is still that one.
 */
export async function readChangeLog(db: string, base: string, from?: LogState): Promise<LogState | undefined> {
  const path = changeLogPath(db);
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const stats = await handle.stat({ bigint: true });
    const size = Number(stats.size);
    const isSame = from !== undefined && from.ino === stats.ino && size >= from.end;
    const offset = isSame ? from.end : 0;
    const bytes = Buffer.alloc(size - offset);
    const { bytesRead } = await handle.read(bytes, 0, bytes.length, offset);
    const read = bytes.subarray(0, bytesRead);
    const changes: LogChanges = new Map();
    if (isSame) {
      const more = applyLines(path, read, from.lines + 1, changes);
      return { changes, end: offset + more.bytes, lines: from.lines + more.lines, ino: stats.ino, isContinued: true };
    }
    const headerEnd = read.indexOf(NEWLINE);
    if (headerEnd === -1) return undefined;
    const header = JSON.parse(read.toString('utf8', 0, headerEnd)) as { changesOf?: unknown; base?: unknown };
    if (header.base !== base) return undefined;
    const all = applyLines(path, read.subarray(headerEnd + 1), 2, changes);
    return { changes, end: headerEnd + 1 + all.bytes, lines: 1 + all.lines, ino: stats.ino, isContinued: false };
  } catch (error) {
    if (error instanceof SyntaxError) return undefined; // a torn header: nothing after it was ever complete
    throw error;
  } finally {
    await handle.close();
  }
}

/**
 * The subscribers with the log's changes: replaced in place, removed, and the new ones last, in the order they came.
 * With `pause`, the pass over them stops for it every PAUSE_EVERY subscribers (a server answering requests meanwhile).
 */
export async function applyChanges(subscribers: Subscriber[], changes: LogChanges, pause?: () => Promise<void>): Promise<Subscriber[]> {
  if (changes.size === 0) return subscribers;
  const seen = new Set<string>();
  let removed = false;
  for (let i = 0; i < subscribers.length; i++) {
    if (pause !== undefined && i % PAUSE_EVERY === PAUSE_EVERY - 1) await pause();
    const id = (subscribers[i] as Subscriber).id;
    if (!changes.has(id)) continue;
    seen.add(id);
    const now = changes.get(id);
    if (now === null || now === undefined) removed = true;
    else subscribers[i] = now;
  }
  const kept = removed ? subscribers.filter((s) => changes.get(s.id) !== null) : subscribers;
  for (const [id, now] of changes) if (now !== null && !seen.has(id)) kept.push(now);
  return kept;
}

/** Subscribers visited between two pauses: a few milliseconds' work. */
export const PAUSE_EVERY = 20_000;

/**
 * Appends one change (subscribers put, ids removed) to the log of the db.json `base`, on disk before it returns.
 * `log` is the log as the caller read it under the store's lock: undefined starts a new log (replacing a stale one);
 * bytes after its end (a torn line) are cut off first. Returns the log as it now is.
 */
export async function appendChange(db: string, base: string, log: LogState | undefined, put: readonly Subscriber[], del: readonly string[]): Promise<LogState> {
  const path = changeLogPath(db);
  const line = `${JSON.stringify({ ...(put.length > 0 ? { put } : {}), ...(del.length > 0 ? { del } : {}) })}\n`;
  try {
    const handle = await open(path, log === undefined ? 'w' : 'r+', PRIVATE_FILE_MODE);
    try {
      const text = log === undefined ? `${JSON.stringify({ changesOf: basename(db), base })}\n${line}` : line;
      const start = log?.end ?? 0;
      await handle.truncate(start);
      const bytes = Buffer.from(text, 'utf8');
      await handle.write(bytes, 0, bytes.length, start);
      await handle.datasync();
      const { ino } = await handle.stat({ bigint: true });
      if (log === undefined) await syncDirectory(dirname(path));
      return { changes: new Map(), end: start + bytes.length, lines: (log?.lines ?? 1) + 1, ino, isContinued: log !== undefined };
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw asDiskError(error, path);
  }
}

/** Removes the log once db.json holds its changes (a fold), or when it is stale. */
export async function removeChangeLog(db: string): Promise<void> {
  await rm(changeLogPath(db), { force: true });
}
