import { readFile } from 'node:fs/promises';
import type { Subscriber } from '../../core/subscriber.js';
import type { PersonalDataHolder } from '../erasure.js';
import { writeFileAtomic } from '../fs/atomic-file.js';
import { eventLogFile, streaksFile } from './webhook-files.js';

const SCRUBBED = '[forgotten]';

/**
 * Removes the needles from every string; in an object about the person with their number (a message from them, a
 * status of one to them, their contact) also the profile (their WhatsApp name) and every message id in it, theirs
 * and the one they replied to: Meta can tie a message id back to the number.
 */
function scrub(value: unknown, needles: readonly string[], digits: string | undefined, theirs = false): unknown {
  if (typeof value === 'string') return needles.reduce((text, needle) => text.split(needle).join(SCRUBBED), value);
  if (Array.isArray(value)) return value.map((v) => scrub(v, needles, digits, theirs));
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value as Record<string, unknown>);
  const isTheirs = theirs || (digits !== undefined && entries.some(([key, v]) => (key === 'wa_id' || key === 'from' || key === 'recipient_id') && v === digits));
  return Object.fromEntries(
    entries
      .filter(([key]) => !(isTheirs && key === 'profile'))
      .map(([key, v]) => [key, isTheirs && key === 'id' && typeof v === 'string' ? SCRUBBED : scrub(v, needles, digits, isTheirs)]),
  );
}

async function eraseFromEventLog(path: string, subscriber: Subscriber): Promise<number> {
  const text = await readFile(path, 'utf8').catch(() => undefined);
  if (text === undefined) return 0;
  const digits = subscriber.phone?.replace(/^\+/, '');
  const needles = [subscriber.phone, digits, subscriber.email, subscriber.name].filter((n): n is string => n !== undefined && n.length >= 3);
  let changed = false;
  const lines = text.split('\n').map((line) => {
    if (line === '' || !needles.some((n) => line.includes(n))) return line;
    changed = true;
    try {
      return JSON.stringify(scrub(JSON.parse(line), needles, digits));
    } catch {
      return needles.reduce((out, needle) => out.split(needle).join(SCRUBBED), line);
    }
  });
  if (!changed) return 0;
  await writeFileAtomic(path, lines.join('\n'));
  return 1;
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
 * subscriber ids. A server running during `forget` reopens the rewritten log before its next write.
 */
export const webhookHolder: PersonalDataHolder = {
  name: 'webhook event log',
  async erase(subscriber, paths) {
    return (await eraseFromEventLog(eventLogFile(paths.home), subscriber)) + (await eraseFromStreaks(streaksFile(paths.home), subscriber));
  },
};
