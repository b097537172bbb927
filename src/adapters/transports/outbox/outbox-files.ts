import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Subscriber } from '../../../core/subscriber.js';
import type { PersonalDataHolder } from '../../erasure.js';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from '../../fs/atomic-file.js';

/** `<home>/outbox`: where the outbox transport writes, one file per message. */
export function outboxDir(home: string): string {
  return join(home, 'outbox');
}

/**
 * A short, stable tag of an address (a number, a WhatsApp user id, an e-mail) in file names, so erasure finds a
 * citizen's files even when encoded.
 */
export function addressTag(address: string): string {
  return createHash('sha256').update(address.trim().toLowerCase()).digest('hex').slice(0, 16);
}

/** Writes `content` as a new file (0600) in `dir`, never over an existing one, nor a part of it left; returns its path. */
export async function writeNewFile(dir: string, base: string, extension: string, content: string | Buffer): Promise<string> {
  await mkdir(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  for (let n = 1; ; n++) {
    const path = join(dir, `${base}${n === 1 ? '' : `-${n}`}${extension}`);
    try {
      await writeFile(path, content, { flag: 'wx', mode: PRIVATE_FILE_MODE });
      return path;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST' && n <= 1000) continue;
      // a file cut short by a full disk is no message: it must not look like one was written
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') await rm(path, { force: true });
      throw error;
    }
  }
}

async function filesUnder(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true, recursive: true });
    return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/**
 * The outbox holds whole messages (numbers, addresses, names in bodies). A forgotten citizen's files are removed:
 * those tagged with their phone, WhatsApp user id or e-mail, and any that mention one of them or their name.
 */
export const outboxHolder: PersonalDataHolder = {
  name: 'outbox',
  async erase(subscriber: Subscriber, paths) {
    const tags = [subscriber.phone, subscriber.whatsappUserId, subscriber.email].filter((a): a is NonNullable<typeof a> => a !== undefined).map(addressTag);
    const needles = [subscriber.phone, subscriber.phone?.replace(/^\+/, ''), subscriber.whatsappUserId?.toLowerCase(), subscriber.email?.toLowerCase(), subscriber.name?.toLowerCase()].filter(
      (n): n is string => n !== undefined && n.length >= 3,
    );
    let removed = 0;
    for (const file of await filesUnder(outboxDir(paths.home))) {
      const tagged = tags.some((tag) => file.includes(tag));
      const text = tagged ? '' : (await readFile(file, 'utf8')).toLowerCase();
      if (tagged || needles.some((n) => text.includes(n))) {
        await rm(file, { force: true });
        removed++;
      }
    }
    return removed;
  },
};
