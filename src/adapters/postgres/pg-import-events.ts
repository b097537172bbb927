import { readFile } from 'node:fs/promises';
import type { EventLog, LogLine } from '../../core/ports.js';
import { optOutFile } from '../optout/optout-feed.js';
import { readLinesFrom } from '../webhook/event-cursor.js';
import { streaksFile } from '../webhook/webhook-files.js';
import type { Sql } from './database.js';
import type { FeedName } from './pg-event-feed.js';

/** What the webhook's files of a home came to in the database. */
export interface EventsCopied {
  readonly inboxEntries: number;
  readonly optOuts: number;
  readonly failureStreaks: number;
  /** Files left out, and why (a failure-streaks file that is not JSON). */
  readonly warnings: readonly string[];
}

/** How much of a feed file is read, and inserted in one statement, at a time. */
const CHUNK_BYTES = 8 * 1024 * 1024;

type ReadLines = (offset: number, maxBytes: number) => Promise<{ lines: LogLine[]; end: number; size: number }>;

/**
 * Copies the home's webhook inbox (`webhooks/events.jsonl`, read by its EventLog), its cursor, the opt-out feed
 * (`optouts.jsonl`) and the failure streaks into the events tables. Each entry keeps the position it has in its file
 * — its byte offset — so the cursor and every mark mean in the database what they meant in the home, and the cursor
 * is copied as it is.
 */
export async function copyEvents(sql: Sql, home: string, from: EventLog, to: EventLog): Promise<EventsCopied> {
  const inboxEntries = await copyFeed(sql, 'inbox', (offset, max) => from.readFrom(offset, max));
  await to.saveCursor(await from.cursor());
  const optOuts = await copyFeed(sql, 'optouts', (offset, max) => readLinesFrom(optOutFile(home), offset, max));
  const streaks = await copyStreaks(sql, home);
  return { inboxEntries, optOuts, failureStreaks: streaks.count, warnings: streaks.warnings };
}

/**
 * The whole lines of a feed file in order, as the home's reader gives them (a torn last line is not one, a line
 * longer than a read is skipped), each at its offset with the bytes up to the next; the feed's end is then where the
 * last whole line ends.
 */
async function copyFeed(sql: Sql, feed: FeedName, read: ReadLines): Promise<number> {
  const table = sql(feed === 'inbox' ? 'canale_inbox' : 'canale_optouts');
  let offset = 0;
  let copied = 0;
  for (;;) {
    const { lines, end } = await read(offset, CHUNK_BYTES);
    if (lines.length > 0) {
      const positions = lines.map((l) => l.offset);
      // the bytes to the next entry (an empty line between is no entry of its own): positions stay the file's
      const bytes = lines.map((l, k) => (lines[k + 1]?.offset ?? end) - l.offset);
      // PostgreSQL's text holds no NUL: a byte a crash left in a line that is no JSON anyway, as a space (same length)
      const texts = lines.map((l) => l.text.replaceAll('\u0000', ' '));
      await sql`insert into ${table} (position, bytes, text)
        select * from unnest(${positions}::bigint[], ${bytes}::integer[], ${texts}::text[])`;
      copied += lines.length;
    }
    if (end === offset) break;
    offset = end;
  }
  await sql`update canale_feed_ends set size = ${offset} where feed = ${feed}`;
  return copied;
}

/** `webhooks/whatsapp-failures.json`'s counts, as the webhook server reads them. */
async function copyStreaks(sql: Sql, home: string): Promise<{ readonly count: number; readonly warnings: string[] }> {
  const text = await readFile(streaksFile(home), 'utf8').catch(() => undefined);
  if (text === undefined) return { count: 0, warnings: [] };
  let counts: unknown;
  try {
    counts = (JSON.parse(text) as { counts?: unknown }).counts;
  } catch {
    return { count: 0, warnings: [`${streaksFile(home)} is not JSON: the failure streaks were not copied (they start again from nothing)`] };
  }
  const streaks = Object.entries(typeof counts === 'object' && counts !== null ? counts : {}).filter(
    (entry): entry is [string, number] => typeof entry[1] === 'number' && Number.isSafeInteger(entry[1]) && entry[1] > 0 && entry[1] <= 0x7fffffff,
  );
  if (streaks.length === 0) return { count: 0, warnings: [] };
  await sql`insert into canale_failure_streaks (subscriber_id, failures)
    select * from unnest(${streaks.map(([id]) => id)}::text[], ${streaks.map(([, n]) => n)}::integer[])`;
  return { count: streaks.length, warnings: [] };
}
