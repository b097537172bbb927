import { open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../fs/atomic-file.js';
import { sizeOf } from '../fs/line-feed.js';
import { webhookDir } from './webhook-files.js';
import { EVENT_CURSOR_START, type EventCursor, type LogLine } from '../../core/ports.js';

/**
 * `webhooks/cursor.json`: how far the webhook server has applied its event log. `offset` is the byte offset of the
 * first line not yet applied (every line before it is in the store, the journals and the opt-out feed); `waiting`
 * the offsets of earlier lines that still hold receipts waiting for their message id; the counters are for
 * `webhook status`. Rewritten atomically after each batch; no personal data.
 */
export const cursorFile = (home: string): string => join(webhookDir(home), 'cursor.json');

export type { EventCursor, LogLine } from '../../core/ports.js';

export const START: EventCursor = EVENT_CURSOR_START;

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** The answers per day of a cursor on disk: days (`2026-12-04`) with counts; anything else is left out. */
function repliesOf(value: unknown): Record<string, number> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  return Object.fromEntries(Object.entries(value).filter(([day, n]) => /^\d{4}-\d{2}-\d{2}$/.test(day) && isCount(n)));
}

/** The cursor on disk, or the start of the log when there is none (or it is not one: then the log is applied again, which is safe). */
export async function readCursor(home: string): Promise<EventCursor> {
  const text = await readFile(cursorFile(home), 'utf8').catch(() => undefined);
  if (text === undefined) return START;
  try {
    const raw = JSON.parse(text) as Partial<Record<keyof EventCursor, unknown>>;
    if (!isCount(raw.offset) || !isCount(raw.lines)) return START;
    const waiting = Array.isArray(raw.waiting) ? raw.waiting.filter(isCount) : [];
    const count = (v: unknown) => (isCount(v) ? v : 0);
    const replies = repliesOf(raw.replies);
    return { offset: raw.offset, lines: raw.lines, waiting, waitingReceipts: count(raw.waitingReceipts), batches: count(raw.batches), storeWrites: count(raw.storeWrites), ...(replies === undefined ? {} : { replies }) };
  } catch {
    return START;
  }
}

export function writeCursor(home: string, cursor: EventCursor): Promise<void> {
  return writeFileAtomic(cursorFile(home), `${JSON.stringify({ version: 1, ...cursor })}\n`);
}

/**
 * The whole lines from `offset` to the end of the file now, and where the last of them ends (a line still being
 * written, without its newline, is left for the next read). At most `maxBytes` are read at once.
 */
export async function readLinesFrom(path: string, offset: number, maxBytes = 64 * 1024 * 1024): Promise<{ lines: LogLine[]; end: number; size: number }> {
  const size = await sizeOf(path);
  if (size <= offset) return { lines: [], end: offset, size };
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(Math.min(size - offset, maxBytes));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, offset);
    const lines: LogLine[] = [];
    let start = 0;
    for (let nl = buffer.indexOf(10, 0); nl >= 0 && nl < bytesRead; nl = buffer.indexOf(10, start)) {
      if (nl > start) lines.push({ offset: offset + start, text: buffer.toString('utf8', start, nl) });
      start = nl + 1;
    }
    // one line longer than maxBytes cannot be read whole: it is skipped so the log goes on being applied
    if (start === 0 && bytesRead === maxBytes) return { lines: [], end: offset + bytesRead, size };
    return { lines, end: offset + start, size };
  } finally {
    await handle.close();
  }
}

/** The line starting at `offset` (a waiting receipt's line, on restart), or undefined when there is none. */
export async function readLineAt(path: string, offset: number): Promise<string | undefined> {
  const { lines } = await readLinesFrom(path, offset, 4 * 1024 * 1024);
  return lines[0]?.offset === offset ? lines[0].text : undefined;
}

/** How many lines the file holds from `offset`, read in chunks (the log may be large). */
export async function countLinesFrom(path: string, offset: number): Promise<number> {
  const size = await sizeOf(path);
  if (size <= offset) return 0;
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(1024 * 1024);
    let count = 0;
    for (let at = offset; at < size; ) {
      const { bytesRead } = await handle.read(buffer, 0, Math.min(buffer.length, size - at), at);
      if (bytesRead === 0) break;
      for (let i = buffer.indexOf(10, 0); i >= 0 && i < bytesRead; i = buffer.indexOf(10, i + 1)) count++;
      at += bytesRead;
    }
    return count;
  } finally {
    await handle.close();
  }
}
