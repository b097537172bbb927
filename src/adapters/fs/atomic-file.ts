import { randomBytes } from 'node:crypto';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Files in the home hold personal data or secrets: only their owner may read them (DESIGN §3). */
export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_DIR_MODE = 0o700;

/** Temporary files are named `.<name>.<random>.tmp` beside their target, so `forget` can find stale ones. */
export function isTemporaryFile(name: string): boolean {
  return name.startsWith('.') && name.endsWith('.tmp');
}

/** Bytes gathered before each write(): few system calls, and one buffer reused for the whole file. */
const WRITE_BUFFER_BYTES = 4 << 20;

/**
 * Writes a file so that readers see either the old content or the new, never a part: the chunks go to a
 * temporary file (mode 0600) beside it, which is flushed to disk and then renamed over the target.
 */
export async function writeFileAtomic(path: string, chunks: Iterable<string> | string): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temporary, 'wx', PRIVATE_FILE_MODE);
  try {
    await writeChunks(handle, typeof chunks === 'string' ? [chunks] : chunks);
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

/**
 * Encodes the chunks straight into one reusable buffer and writes it whenever it is full: no string is joined to
 * another first (joining makes ropes that are flattened and copied again when written; a 390 MB store spent
 * about 2 s there).
 */
async function writeChunks(handle: FileHandle, chunks: Iterable<string>): Promise<void> {
  let buffer: Buffer | undefined;
  let used = 0;
  const flush = async (): Promise<void> => {
    if (buffer === undefined || used === 0) return;
    for (let done = 0; done < used; ) done += (await handle.write(buffer, done, used - done)).bytesWritten;
    used = 0;
  };
  for (const chunk of chunks) {
    // a UTF-8 character takes at most 3 bytes per UTF-16 unit, so a chunk that fits by that bound fits for sure
    const bound = chunk.length * 3;
    if (bound > WRITE_BUFFER_BYTES) {
      await flush();
      await handle.write(chunk);
      continue;
    }
    if (used + bound > WRITE_BUFFER_BYTES) await flush();
    buffer ??= Buffer.allocUnsafe(WRITE_BUFFER_BYTES);
    used += buffer.write(chunk, used);
  }
  await flush();
}

/** Makes a rename durable: without it a power cut can bring back the old file. */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } catch {
    // some file systems refuse fsync on a directory; the rename itself is still atomic
  } finally {
    await handle.close();
  }
}
