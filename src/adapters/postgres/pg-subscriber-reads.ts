import type { PendingQuery, Row } from 'postgres';
import { emailKey } from '../../core/email.js';
import type { BookHints } from '../../core/ports.js';
import type { Subscriber } from '../../core/subscriber.js';
import type { Template } from '../../core/template.js';
import type { Topic } from '../../core/topic.js';
import { subscriberValidator } from '../store/store-schema.js';
import type { Sql, TxSql } from './database.js';
import type { PgSubscriberCache } from './pg-subscriber-cache.js';

/** How a damaged record is named (STORE_DAMAGED): the table, as db.json names its file. */
export const SUBSCRIBERS_TABLE = 'the table canale_subscribers';

/**
 * How records are read: each checked as the JSON store checks its lines, so a hand-edited row is STORE_DAMAGED and
 * never overwritten. Returns true or throws. (Values many records share are not made one here, as the JSON store
 * does when it holds a whole file: a transaction that holds a million would save a seventh of its
 * memory, 590 MB instead of 690, and take a quarter longer.)
 */
export function recordReader(): (record: unknown, index: number) => record is Subscriber {
  return subscriberValidator(SUBSCRIBERS_TABLE);
}

/** The keys (`kind + value`, as keysOf writes them) the hints name: what a transaction fetches before its work runs. */
export function hintKeys(hints: BookHints): string[] {
  const keys: string[] = [];
  for (const id of hints.ids ?? []) keys.push(`i${id}`);
  for (const phone of hints.phones ?? []) keys.push(`p${phone}`);
  for (const email of hints.emails ?? []) keys.push(`e${emailKey(email)}`);
  for (const userId of hints.userIds ?? []) keys.push(`u${userId}`);
  // only `whatsapp:` sources are indexed; another is looked for by a pass over everyone, as in the JSON store
  for (const source of hints.sources ?? []) if (source.startsWith('whatsapp:')) keys.push(`s${source}`);
  return keys;
}

/**
 * Fetches into the cache every subscriber holding one of `keys`, in one query (an array per kind: `= any($1)` by
 * index however many keys), and notes the keys as known. Returns how many rows were found.
 */
export async function fetchKeys(tx: TxSql, cache: PgSubscriberCache, keys: Iterable<string>): Promise<number> {
  const kinds: Record<string, string[]> = { i: [], p: [], e: [], u: [], s: [] };
  const asked: string[] = [];
  for (const key of keys) {
    kinds[key.charAt(0)]?.push(key.slice(1));
    asked.push(key);
  }
  if (asked.length === 0) return 0;
  const isSubscriber = recordReader();
  const rows = await findByKeys(tx, kinds);
  rows.forEach(({ record }, n) => {
    if (isSubscriber(record, n)) cache.add(record);
  });
  cache.know(asked);
  return rows.length;
}

/** The records holding any of these keys (by kind: i, p, e, u, s), through canale_subscribers_find (see the schema). */
export async function findByKeys(sql: Sql | TxSql, kinds: { readonly [kind: string]: readonly string[] | undefined }): Promise<Array<{ record: unknown }>> {
  const list = (kind: string): string[] => [...(kinds[kind] ?? [])];
  return sql<{ record: unknown }[]>`select found as record from canale_subscribers_find(${list('i')}::text[], ${list('p')}::text[], ${list('e')}::text[], ${list('u')}::text[], ${list('s')}::text[])`;
}

/** Fetches every subscriber into the cache in the store's order, each as it arrives. */
export async function fetchEveryone(tx: TxSql, cache: PgSubscriberCache): Promise<void> {
  const isSubscriber = recordReader();
  cache.clear();
  let n = 0;
  await eachRow(tx<{ record: unknown }[]>`select record from canale_subscribers order by position`, ({ record }) => {
    if (isSubscriber(record, n++)) cache.add(record);
  });
  cache.markEveryone();
}

/**
 * Hands each row of `query` to `take` as it arrives, the database sending the next ones meanwhile (a cursor would
 * wait for each batch: a million rows took 60% longer); memory is the socket's chunk, not the result. An error of
 * `take` stops the visits, the rest of the rows is read and dropped, and the error is thrown then (a throw inside
 * the driver's row callback would leave its connection in doubt).
 */
export async function eachRow<R extends Row>(query: PendingQuery<R[]>, take: (row: R) => void): Promise<void> {
  let failure: { readonly error: unknown } | undefined;
  await query.forEach((row) => {
    if (failure !== undefined) return;
    try {
      take(row);
    } catch (error) {
      failure = { error };
    }
  });
  if (failure !== undefined) throw failure.error;
}

/** The topic catalogue, in its order. */
export async function readTopics(sql: Sql | TxSql): Promise<Topic[]> {
  return (await sql<{ record: Topic }[]>`select record from canale_topics order by position`).map((r) => r.record);
}

/** The synced templates, in their order. */
export async function readTemplates(sql: Sql | TxSql): Promise<Template[]> {
  return (await sql<{ record: Template }[]>`select record from canale_templates order by position`).map((r) => r.record);
}
