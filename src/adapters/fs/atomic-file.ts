import { randomBytes } from 'node:crypto';
import { open, readdir, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { asDiskError } from './disk-errors.js';

/** Files in the home hold personal data or secrets: only their owner may read them (DESIGN §3). */
export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_DIR_MODE = 0o700;

/** Temporary files are named `.<name>.<12 hex digits>.tmp` beside their target. */
export function isTemporaryFile(name: string): boolean {
  return name.startsWith('.') && name.endsWith('.tmp');
}

/** Whether `name` is one of those writeFileAtomic makes for the file called `target` (not for another one). */
export function isTemporaryFileOf(name: string, target: string): boolean {
  return name.length === target.length + 18 && name.startsWith(`.${target}.`) && /^[0-9a-f]{12}\.tmp$/.test(name.slice(target.length + 2));
}

/**
 * Removes the temporary files of `path` left by writes that were killed before their rename, when they are older than
 * `beforeMs` (file-system time). Called under the lock that every writer of `path` holds, with the time the lock was
 * taken: a file last written before that belongs to a holder that is gone; a newer one is left alone. Returns how many
 * files it removed.
 */
export async function removeStaleTemporaryFiles(path: string, beforeMs: number): Promise<number> {
  const dir = dirname(path);
  const names = (await readdir(dir)).filter((name) => isTemporaryFileOf(name, basename(path)));
  let removed = 0;
  for (const name of names) {
    const file = join(dir, name);
    const modified = await stat(file).then((s) => s.mtimeMs, () => undefined);
    if (modified === undefined || modified > beforeMs) continue;
    await rm(file, { force: true });
    removed++;
  }
  return removed;
}

/** Bytes gathered before each write(): few system calls, and one buffer reused for the whole file. */
const WRITE_BUFFER_BYTES = 4 << 20;

/**
 * Writes a file so that readers see either the old content or the new, never a part: the chunks go to a
 * temporary file (mode 0600) beside it, which is flushed to disk and then renamed over the target. A full,
 * read-only or failing disk throws the CanaleError that names `path` (the temporary file is gone by then).
 */
export async function writeFileAtomic(path: string, chunks: Iterable<string> | string | Buffer, position?: WritePosition): Promise<void> {
  try {
    await writeThenRename(path, chunks, position);
  } catch (error) {
    throw asDiskError(error, path);
  }
}

/**
 * The new file gets a later modification time than the one it replaces: file-system clocks tick in jiffies (a few
 * ms), so two writes in one tick would get one mtime, and whoever tells versions apart by it (db.json's change log,
 * the failure streaks) would see none. Set a millisecond past the old one when the clock has not moved.
 */
async function stampLaterThan(handle: FileHandle, path: string): Promise<void> {
  const replaced = await stat(path, { bigint: true }).catch(() => undefined);
  if (replaced === undefined || (await handle.stat({ bigint: true })).mtimeNs > replaced.mtimeNs) return;
  const later = Number(replaced.mtimeNs / 1000n + 1000n) / 1e6; // in seconds
  await handle.utimes(later, later);
}

async function writeThenRename(path: string, chunks: Iterable<string> | string | Buffer, position: WritePosition | undefined): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temporary, 'wx', PRIVATE_FILE_MODE);
  try {
    if (Buffer.isBuffer(chunks)) {
      // bytes as they are (a binary index): a short write must not be taken for the whole
      for (let done = 0; done < chunks.length; ) done += (await handle.write(chunks, done, chunks.length - done)).bytesWritten;
    } else await writeChunks(handle, typeof chunks === 'string' ? [chunks] : chunks, position);
    await stampLaterThan(handle, path);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(temporary, { force: true });
    throw error;
  }
  await handle.close();
  try {
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  await syncDirectory(dirname(path));
}

/** The promise itself, marked as handled: its failure is awaited later, not reported as unhandled meanwhile. */
function handled<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

/**
 * How many bytes of the file the chunks so far came to, counted as they are encoded: a generator of chunks reads it
 * when it is asked for the next one (db.json's layout marks where each line starts) instead of measuring each one.
 */
export interface WritePosition {
  bytes: number;
}

/** Written this many bytes, the file is flushed to disk in the background while the rest is encoded. */
const SYNC_EVERY_BYTES = 64 << 20;

/**
 * Encodes the chunks straight into a buffer and writes it whenever it is full: no string is joined to another first
 * (joining makes ropes that are flattened and copied again when written; a 390 MB store spent about 2 s there).
 * Two buffers take turns, so one is written while the next is encoded, and the disk is asked to catch up every
 * 64 MB, so the final flush has little left: for a 390 MB store about 2.5 s become about 1.5 s.
 */
async function writeChunks(handle: FileHandle, chunks: Iterable<string>, position: WritePosition = { bytes: 0 }): Promise<void> {
  const spare: Buffer[] = [];
  let buffer: Buffer | undefined;
  let used = 0;
  let writing: Promise<unknown> = Promise.resolve();
  let syncing: Promise<unknown> = Promise.resolve();
  let unsynced = 0;
  const writeAll = async (bytes: Buffer, length: number): Promise<void> => {
    for (let done = 0; done < length; ) done += (await handle.write(bytes, done, length - done)).bytesWritten;
    spare.push(bytes);
  };
  const flush = async (): Promise<void> => {
    await writing;
    if (buffer === undefined || used === 0) return;
    writing = handled(writeAll(buffer, used));
    unsynced += used;
    if (unsynced >= SYNC_EVERY_BYTES) {
      const previous = syncing;
      syncing = handled(writing.then(() => previous).then(() => handle.datasync()));
      unsynced = 0;
    }
    buffer = undefined;
    used = 0;
  };
  try {
    for (const chunk of chunks) {
      // a UTF-8 character takes at most 3 bytes per UTF-16 unit, so a chunk that fits by that bound fits for sure
      const bound = chunk.length * 3;
      if (bound > WRITE_BUFFER_BYTES) {
        await flush();
        await writing;
        // a short write (a disk filling up) must not be taken for the whole chunk
        const bytes = Buffer.from(chunk);
        for (let done = 0; done < bytes.length; ) done += (await handle.write(bytes, done, bytes.length - done)).bytesWritten;
        position.bytes += bytes.length;
        continue;
      }
      if (used + bound > WRITE_BUFFER_BYTES) await flush();
      buffer ??= spare.pop() ?? Buffer.allocUnsafe(WRITE_BUFFER_BYTES);
      const length = buffer.write(chunk, used);
      used += length;
      position.bytes += length;
    }
    await flush();
  } finally {
    // nothing may still be writing when the caller closes the file, whatever happened
    await Promise.allSettled([writing, syncing]);
  }
  await writing;
  await syncing;
}

/** Makes a rename durable: without it a power cut can bring back the old file. */
export async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } catch {
    // some file systems refuse fsync on a directory; the rename itself is still atomic
  } finally {
    await handle.close();
  }
}
