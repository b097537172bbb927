import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Subscriber } from '../../core/subscriber.js';
import type { PersonalDataHolder } from '../erasure.js';
import { isTemporaryFile, writeFileAtomic } from '../fs/atomic-file.js';
import type { HomePaths } from '../home.js';
import { journalFile, recipientsFile } from './campaign-files.js';
import { FREEZE_PREFIX, removeFreezeLeftovers } from './campaign-freeze.js';
import { withSendLock } from './send-lock.js';

/** What a forgotten subscriber's id becomes in the frozen lists: the counts stay true, the person is gone. */
export const FORGOTTEN = 'forgotten';
const SCRUBBED = '[forgotten]';

async function textOf(path: string): Promise<string | undefined> {
  return readFile(path, 'utf8').catch(() => undefined);
}

/** The contacts a provider's answer may echo (an SMTP reply names the mailbox): removed from every journal line. */
function needlesOf(subscriber: Subscriber): string[] {
  return [subscriber.email, subscriber.email?.toLowerCase(), subscriber.phone, subscriber.phone?.replace(/^\+/, '')].filter((n): n is string => n !== undefined && n.length >= 3);
}

/** Rewrites one campaign's files without the subscriber; returns how many files changed. */
async function eraseFromCampaign(dir: string, subscriber: Subscriber): Promise<number> {
  let changed = 0;
  const positions = new Set<number>();
  const recipients = await textOf(recipientsFile(dir));
  if (recipients !== undefined && recipients.includes(`"${subscriber.id}"`)) {
    const lines = recipients.split('\n').map((line, i) => {
      if (!line.includes(`"${subscriber.id}"`)) return line;
      positions.add(i);
      return line.replace(`"${subscriber.id}"`, `"${FORGOTTEN}"`);
    });
    await writeFileAtomic(recipientsFile(dir), lines.join('\n'));
    changed++;
  }
  const journal = await textOf(journalFile(dir));
  if (journal === undefined) return changed;
  const needles = needlesOf(subscriber);
  let touched = false;
  const lines = journal.split('\n').map((line) => {
    if (line === '') return line;
    let out = line;
    const record = parsedRecord(line);
    // a line torn by a crash or a full disk is no record (replay skips it), and may hold a part of one: dropped
    if (record === undefined) {
      touched = true;
      return '';
    }
    if (positions.has(record.i) && (record.detail !== undefined || record.id !== undefined)) {
      // the provider's message id and own words are about this person: keep the outcome, its code and our reason
      const { detail: _detail, id: _id, ...kept } = record;
      out = JSON.stringify(kept);
    }
    for (const needle of needles) out = out.split(needle).join(SCRUBBED);
    touched ||= out !== line;
    return out;
  });
  if (touched) {
    await writeFileAtomic(journalFile(dir), lines.join('\n'));
    changed++;
  }
  return changed;
}

/** Copies a killed rewrite left in a campaign folder (`.journal.jsonl.<random>.tmp`…): they can hold what forget removes. */
async function removeTemporaryFiles(dir: string): Promise<number> {
  const names = (await readdir(dir).catch(() => [] as string[])).filter(isTemporaryFile);
  await Promise.all(names.map((name) => rm(join(dir, name), { force: true })));
  return names.length;
}

/**
 * Campaign folders (DESIGN §5): the frozen recipient list holds subscriber ids, the journal provider message ids and
 * provider replies, which can name a mailbox. Damaged folders are erased like the others; the `.tmp-…` folders of
 * freezes that were killed are removed. Runs under the send lock, since a running send appends to its journal.
 */
export const campaignsHolder: PersonalDataHolder = {
  name: 'campaigns',
  async erase(subscriber: Subscriber, paths: HomePaths) {
    const root = join(paths.home, 'campaigns');
    const ids = await readdir(root).catch(() => [] as string[]);
    if (ids.length === 0) return 0;
    return withSendLock(paths.home, { campaign: 'none: erasing a subscriber' }, async () => {
      // under the send lock no freeze or rewrite is under way: unfinished freezes and rewrites are leftovers
      let changed = await removeFreezeLeftovers(paths.home);
      for (const id of ids.filter((name) => !name.startsWith(FREEZE_PREFIX))) {
        const dir = join(root, id);
        changed += await removeTemporaryFiles(dir);
        changed += await eraseFromCampaign(dir, subscriber);
      }
      return changed;
    });
  },
};

function parsedRecord(line: string): { i: number; detail?: string; id?: string } | undefined {
  try {
    return JSON.parse(line) as { i: number; detail?: string; id?: string };
  } catch {
    return undefined;
  }
}
