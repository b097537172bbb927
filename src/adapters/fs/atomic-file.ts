import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Files in the home hold personal data or secrets: only their owner may read them (DESIGN §3). */
export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_DIR_MODE = 0o700;

/** Temporary files are named `.<name>.<random>.tmp` beside their target, so `forget` can find stale ones. */
export function isTemporaryFile(name: string): boolean {
  return name.startsWith('.') && name.endsWith('.tmp');
}

/**
 * Writes a file so that readers see either the old content or the new, never a part: the chunks go to a
 * temporary file (mode 0600) beside it, which is flushed to disk and then renamed over the target.
 */
export async function writeFileAtomic(path: string, chunks: Iterable<string> | string): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temporary, 'wx', PRIVATE_FILE_MODE);
  try {
    let pending = '';
    for (const chunk of typeof chunks === 'string' ? [chunks] : chunks) {
      pending += chunk;
      if (pending.length >= 1 << 20) {
        await handle.write(pending);
        pending = '';
      }
    }
    if (pending !== '') await handle.write(pending);
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
