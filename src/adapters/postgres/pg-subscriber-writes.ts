import type { PendingQuery, Row } from 'postgres';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Subscriber } from '../../core/subscriber.js';
import type { IndexedTransaction } from '../store/indexed-transaction.js';
import type { TxSql } from './database.js';
import type { PgSubscriberCache } from './pg-subscriber-cache.js';
import { withIndexesAfter } from './pg-subscriber-bulk.js';
import { copyChunks, ROW_COLUMNS, rowOf } from './pg-subscriber-rows.js';

type Fragment = PendingQuery<Row[]>;

/** From this many rows a write is a COPY (a bulk import's million rows), below it one statement with the rows as JSON. */
export const COPY_ROWS = 500;

/** When a write is a bulk load (BULK_ROWS), and how many rows the table holds before it. */
export interface BulkOptions {
  readonly rows: number;
  readonly held: () => Promise<number>;
}

/** What a transaction changed, against what the store held when it began. */
export interface SubscriberWrites {
  readonly removed: readonly string[];
  readonly updated: readonly Subscriber[];
  readonly inserted: readonly Subscriber[];
  /** By how many the holders of each attribute key change (keys that do not change are not in it). */
  readonly attributes: ReadonlyMap<string, number>;
  readonly topics: boolean;
  readonly templates: boolean;
}

/** The writes a transaction's changes come to: a record replaced by an equal one is not written. */
export function writesOf(view: IndexedTransaction, cache: PgSubscriberCache): SubscriberWrites {
  const changes = view.changes();
  const removed: string[] = [];
  const updated: Subscriber[] = [];
  const inserted: Subscriber[] = [];
  const attributes = new Map<string, number>();
  const count = (s: Subscriber | undefined, by: number): void => {
    for (const key in s?.attributes) attributes.set(key, (attributes.get(key) ?? 0) + by);
  };
  for (const [id, now] of changes.subscribers) {
    const before = cache.record(id);
    if (now === null) {
      if (before === undefined) continue;
      removed.push(id);
    } else if (before === undefined) inserted.push(now);
    else if (JSON.stringify(before) !== JSON.stringify(now)) updated.push(now);
    else continue;
    count(before, -1);
    count(now ?? undefined, 1);
  }
  for (const [key, by] of attributes) if (by === 0) attributes.delete(key);
  return { removed, updated, inserted, attributes, topics: changes.topics, templates: changes.templates };
}

/** Whether there is anything to write. */
export function hasWrites(w: SubscriberWrites): boolean {
  return w.removed.length + w.updated.length + w.inserted.length > 0 || w.topics || w.templates;
}

/**
 * Writes them in `tx`: removed rows deleted, replaced rows updated where they are (their position kept), new rows
 * appended in the order first changed (a COPY when there are many), the catalogue and the templates rewritten only
 * when they changed. Uniqueness is checked at commit.
 */
export async function writeChanges(tx: TxSql, w: SubscriberWrites, view: IndexedTransaction, bulk: BulkOptions): Promise<void> {
  if (w.removed.length > 0) await tx`delete from canale_subscribers where id = any(${w.removed as string[]}::text[])`;
  if (w.updated.length > 0) await updateRows(tx, w.updated);
  if (w.inserted.length >= bulk.rows && w.inserted.length >= (await bulk.held())) await withIndexesAfter(tx, () => copyInto(tx, 'canale_subscribers', w.inserted));
  else if (w.inserted.length > 0) await insertRows(tx, w.inserted);
  // the planner's view of a table that grew or changed by many (an import into an empty store would be planned as empty)
  if (w.inserted.length + w.updated.length >= bulk.rows) await tx`analyze canale_subscribers`;
  if (w.attributes.size > 0) await countAttributes(tx, w.attributes);
  if (w.topics) {
    await tx`delete from canale_topics`;
    await tx`insert into canale_topics (position, id, record)
      select (t.n - 1)::int, t.value ->> 'id', t.value from json_array_elements(${view.topics() as never}::json) with ordinality as t(value, n)`;
  }
  if (w.templates) {
    await tx`delete from canale_templates`;
    await tx`insert into canale_templates (position, record)
      select (t.n - 1)::int, t.value from json_array_elements(${view.templates() as never}::json) with ordinality as t(value, n)`;
  }
}

/** The holders of each attribute key changed by `by` (canale_attribute_names, schema/audience.ts); a key none has left is removed. */
async function countAttributes(tx: TxSql, by: ReadonlyMap<string, number>): Promise<void> {
  await tx`insert into canale_attribute_names (name, holders) select * from unnest(${[...by.keys()]}::text[], ${[...by.values()]}::bigint[])
    on conflict (name) do update set holders = canale_attribute_names.holders + excluded.holders`;
  await tx`delete from canale_attribute_names where holders <= 0`;
}

export async function copyInto(tx: TxSql, table: 'canale_subscribers' | 'canale_subscribers_staged', rows: readonly Subscriber[]): Promise<void> {
  const writable = await tx`copy ${tx(table)} (${tx(ROW_COLUMNS as unknown as string[])}) from stdin`.writable();
  await pipeline(Readable.from(copyChunks(rows)), writable);
}

/** The rows as a record set of ROW_COLUMNS, in their order (`n`). */
function recordSet(tx: TxSql, rows: readonly Subscriber[]): Fragment {
  return tx`rows from (json_to_recordset(${rows.map(rowOf) as never}::json)
      as (id text, phone text, email_key text, user_id text, status text, topics text[], left_topics text[], sources text[], record json))
      with ordinality as r(id, phone, email_key, user_id, status, topics, left_topics, sources, record, n)`;
}

async function insertRows(tx: TxSql, rows: readonly Subscriber[]): Promise<void> {
  if (rows.length >= COPY_ROWS) return copyInto(tx, 'canale_subscribers', rows);
  await tx`insert into canale_subscribers (${tx(ROW_COLUMNS as unknown as string[])})
    select r.id, r.phone, r.email_key, r.user_id, r.status, r.topics, r.left_topics, r.sources, r.record from ${recordSet(tx, rows)} order by r.n`;
}

async function updateRows(tx: TxSql, rows: readonly Subscriber[]): Promise<void> {
  let from: Fragment;
  if (rows.length >= COPY_ROWS) {
    await tx`create temp table if not exists canale_subscribers_staged (
      id text, phone text, email_key text, user_id text, status text, topics text[], left_topics text[], sources text[], record json) on commit drop`;
    await copyInto(tx, 'canale_subscribers_staged', rows);
    from = tx`canale_subscribers_staged r`;
  } else from = recordSet(tx, rows);
  await tx`update canale_subscribers s
    set phone = r.phone, email_key = r.email_key, user_id = r.user_id, status = r.status, topics = r.topics, left_topics = r.left_topics,
      sources = r.sources, record = r.record
    from ${from} where s.id = r.id`;
}
