import { EVENT_CURSOR_START, type EventCursor } from '../../core/ports.js';
import type { Sql } from './database.js';

/** `canale_inbox_cursor`'s one row: how far the webhook server applied the inbox; none yet, the start. */
export async function readCursor(sql: Sql): Promise<EventCursor> {
  const [row] = await sql<{ position: number; lines: number; waiting: number[]; waiting_receipts: number; batches: number; store_writes: number; replies: Record<string, number> }[]>`
    select position, lines, waiting, waiting_receipts, batches, store_writes, replies from canale_inbox_cursor`;
  if (row === undefined) return EVENT_CURSOR_START;
  const replies = Object.keys(row.replies).length === 0 ? {} : { replies: row.replies };
  return { offset: row.position, lines: row.lines, waiting: row.waiting, waitingReceipts: row.waiting_receipts, batches: row.batches, storeWrites: row.store_writes, ...replies };
}

export async function writeCursor(sql: Sql, cursor: EventCursor): Promise<void> {
  const replies = cursor.replies ?? {};
  await sql`
    insert into canale_inbox_cursor (position, lines, waiting, waiting_receipts, batches, store_writes, replies)
    values (${cursor.offset}, ${cursor.lines}, ${[...cursor.waiting]}::bigint[], ${cursor.waitingReceipts}, ${cursor.batches}, ${cursor.storeWrites}, ${sql.json(replies)})
    on conflict (only_row) do update set position = excluded.position, lines = excluded.lines, waiting = excluded.waiting,
      waiting_receipts = excluded.waiting_receipts, batches = excluded.batches, store_writes = excluded.store_writes, replies = excluded.replies`;
}
