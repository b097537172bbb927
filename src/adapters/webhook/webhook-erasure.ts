import { readFile } from 'node:fs/promises';
import type { Subscriber } from '../../core/subscriber.js';
import type { PersonalDataHolder } from '../erasure.js';
import { writeFileAtomic } from '../fs/atomic-file.js';
import { scrubFileInPlace } from '../fs/scrub-in-place.js';
import { erasureTarget, scrubEventLine, scrubIdLine } from '../../core/erasure/line-scrub.js';
import { eventLogFile, streaksFile } from './webhook-files.js';

/** Scrubs the event log where it lies: the server appends to it while forget runs, and no line it acknowledged may be lost. */
async function eraseFromEventLog(path: string, subscriber: Subscriber): Promise<number> {
  const target = erasureTarget(subscriber);
  const contacts = await scrubFileInPlace(path, target.needles, (line, hasNeedle) => hasNeedle && scrubEventLine(line, target));
  // an e-mail unsubscribe line names the subscriber by id: overwritten, the applier then finds no one to unsubscribe
  const id = new TextEncoder().encode(JSON.stringify(subscriber.id));
  const ids = await scrubFileInPlace(path, [id], (line, hasNeedle) => hasNeedle && scrubIdLine(line, subscriber.id));
  return contacts || ids ? 1 : 0;
}

async function eraseFromStreaks(path: string, subscriber: Subscriber): Promise<number> {
  const text = await readFile(path, 'utf8').catch(() => undefined);
  if (text === undefined) return 0;
  const file = JSON.parse(text) as { version: number; counts: Record<string, number> };
  if (!(subscriber.id in file.counts)) return 0;
  delete file.counts[subscriber.id];
  await writeFileAtomic(path, `${JSON.stringify(file)}\n`);
  return 1;
}

/**
 * `webhook serve`'s files: the event log holds phone numbers and WhatsApp profile names, the failure streaks
 * subscriber ids. The event log is erased in place (scrubEventLine), never replaced, so a server running during
 * `forget` loses none of the lines it acknowledged.
 */
export const webhookHolder: PersonalDataHolder = {
  name: 'webhook event log',
  async erase(subscriber, paths) {
    return (await eraseFromEventLog(eventLogFile(paths.home), subscriber)) + (await eraseFromStreaks(streaksFile(paths.home), subscriber));
  },
};
