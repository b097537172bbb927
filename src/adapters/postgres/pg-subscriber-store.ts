import { emailKey } from '../../core/email.js';
import { CanaleError } from '../../core/errors.js';
import type { BookHints, ScanCount, SubscriberKey, SubscriberStore, SubscriberTransaction, SubscriberVisitor, Survey } from '../../core/ports.js';
import type { Subscriber } from '../../core/subscriber.js';
import { matchSubscriber, type SubscriberFilter } from '../../core/subscriber-filter.js';
import type { Template } from '../../core/template.js';
import type { Topic } from '../../core/topic.js';
import { idTaken, subscriberExists } from '../../core/subscriber-exists.js';
import { IndexedTransaction } from '../store/indexed-transaction.js';
import type { Sql, TxSql } from './database.js';
import { BULK_ROWS } from './pg-subscriber-bulk.js';
import { PgSubscriberCache } from './pg-subscriber-cache.js';
import { pushedFilter } from './pg-subscriber-filter.js';
import { eachRow, fetchEveryone, fetchKeys, findByKeys, hintKeys, readTemplates, readTopics, recordReader } from './pg-subscriber-reads.js';
import { hasWrites, writeChanges, writesOf } from './pg-subscriber-writes.js';

/** Runs of a transaction's work that may each find more to fetch; past them everyone is fetched (the work then cannot miss). */
const ROUNDS_BEFORE_EVERYONE = 8;

/** A unique constraint of canale_subscribers: what it holds, as SUBSCRIBER_EXISTS words it, and how to find the holder. */
const UNIQUE: Readonly<Record<string, { readonly what: string; readonly key: (value: string) => SubscriberKey }>> = {
  canale_subscribers_phone_key: { what: 'phone', key: (phone) => ({ phone }) },
  canale_subscribers_email_key_key: { what: 'e-mail', key: (email) => ({ email }) },
  canale_subscribers_user_id_key: { what: 'WhatsApp user id', key: (userId) => ({ userId }) },
};

export interface PgSubscriberStoreOptions {
  /** From how many new rows a write is a bulk load (indexes built after it): BULK_ROWS; tests make it small. */
  readonly bulkRows?: number;
}

/**
 * A scan in `tx`: everyone in the store's order, so each one's place is counted; those the database rules out by
 * topic and status come as null (their records are neither sent nor parsed).
 */
async function scanIn(tx: TxSql, filter: SubscriberFilter | undefined, visitor: SubscriberVisitor): Promise<ScanCount> {
  // one pass by index: compiling it (JIT) would cost more than it saves
  await tx`set local jit = off`;
  const matches = filter === undefined ? undefined : matchSubscriber(filter);
  const isSubscriber = recordReader();
  const { where } = pushedFilter(tx, filter);
  const rows =
    where === undefined
      ? tx<{ record: unknown }[]>`select record from canale_subscribers order by position`
      : tx<{ record: unknown }[]>`select case when ${where} then record end as record from canale_subscribers order by position`;
  let total = 0;
  let matched = 0;
  await eachRow(rows, ({ record }) => {
    const index = total++;
    if (record === null || !isSubscriber(record, index) || (matches !== undefined && !matches(record))) return;
    matched++;
    visitor(record, index);
  });
  return { total, matched };
}

/** How many subscribers the table holds: known when the transaction read everyone. */
async function heldRows(tx: TxSql, cache: PgSubscriberCache): Promise<number> {
  if (cache.hasEveryone) return cache.size;
  const [row] = await tx<{ n: number }[]>`select count(*)::int as n from canale_subscribers`;
  return row?.n ?? 0;
}

/**
 * The SubscriberStore port in PostgreSQL (DESIGN §5): canale_subscribers, canale_topics and canale_templates
 * (schema/subscribers.ts), shared by every machine of a city.
 *
 * Reads take no lock and see one committed state (one statement each): a lookup is one indexed query; a scan
 * streams the rows in the store's order as they arrive (the memory of a chunk of them), the database ruling out
 * what it can by topic and status; a count is counted by the database (the topics' GIN index) unless the filter
 * needs core's matching (`where`, `search`).
 *
 * A transaction holds an advisory lock that every subscriber writer on every machine takes, so writers are one at a
 * time as in the JSON store and each works on the state as the last one left it. Its work is synchronous: what
 * `hints` name is fetched first (one query, arrays by kind), and the work runs on those records (IndexedTransaction
 * over a PgSubscriberCache). A key it looks up that was not fetched is answered as absent and noted; the store then
 * fetches the keys noted, and when any was there after all it runs the work again from the start, with them; a pass
 * over everyone (`tx.scan`) fetches everyone and runs it again. So **`work` may run more than once**: it must be a
 * function of what it reads from `tx` (an id drawn inside it may be drawn again, which is harmless; anything it does
 * outside `tx` is done once per run). Only the last run's changes are written — rows changed, removed or appended
 * (a COPY when many), the catalogue and templates only when changed — and committed; a work that throws, or a
 * phone, e-mail or user id taken (checked by the work, and by deferred unique constraints at commit), writes nothing.
 * A subscriber removed and inserted again by one transaction keeps its place, as that transaction's scan saw it.
 */
export class PgSubscriberStore implements SubscriberStore {
  constructor(
    private readonly sql: Sql,
    private readonly options: PgSubscriberStoreOptions = {},
  ) {}

  async find(key: SubscriberKey): Promise<Subscriber | undefined> {
    const kinds = 'id' in key ? { i: [key.id] } : 'phone' in key ? { p: [key.phone] } : 'email' in key ? { e: [emailKey(key.email)] } : { u: [key.userId] };
    const [row] = await findByKeys(this.sql, kinds);
    return row !== undefined && recordReader()(row.record, 0) ? row.record : undefined;
  }

  async scan(filter: SubscriberFilter | undefined, visitor: SubscriberVisitor): Promise<ScanCount> {
    return this.sql.begin('read only', (tx) => scanIn(tx, filter, visitor));
  }

  /** The attribute names are canale_attribute_names' (schema/audience.ts), read in the scan's snapshot. */
  async survey(filter: SubscriberFilter | undefined, visitor: SubscriberVisitor): Promise<Survey> {
    return this.sql.begin('isolation level repeatable read read only', async (tx) => {
      const names = await tx<{ name: string }[]>`select name from canale_attribute_names order by name`;
      return { ...(await scanIn(tx, filter, visitor)), attributes: new Set(names.map((r) => r.name)) };
    });
  }

  async count(filter?: SubscriberFilter): Promise<number> {
    const { where, isExact } = pushedFilter(this.sql, filter);
    if (!isExact) return (await this.scan(filter, () => undefined)).matched;
    const [row] = await this.sql<{ n: number }[]>`select count(*)::int as n from canale_subscribers ${where === undefined ? this.sql`` : this.sql`where ${where}`}`;
    return row?.n ?? 0;
  }

  async topics(): Promise<Topic[]> {
    return readTopics(this.sql);
  }

  async templates(): Promise<Template[]> {
    return readTemplates(this.sql);
  }

  async transaction<T>(hints: BookHints, work: (tx: SubscriberTransaction) => T): Promise<T> {
    try {
      // begin's type would unwrap a list of promises: work is synchronous, its value is returned as it is
      return (await this.sql.begin((tx) => this.runUnderLock(tx, hints, work))) as T;
    } catch (error) {
      throw await this.asExists(error);
    }
  }

  private async runUnderLock<T>(tx: TxSql, hints: BookHints, work: (tx: SubscriberTransaction) => T): Promise<T> {
    // every subscriber writer on every machine; the two-key form, apart from PgLocks' one-key locks
    await tx`select pg_advisory_xact_lock(hashtext('canale'), hashtext('subscribers'))`;
    const [state] = await tx<{ topics: Topic[] | null; templates: Template[] | null; isEmpty: boolean }[]>`
      select (select json_agg(record order by position) from canale_topics) as topics,
        (select json_agg(record order by position) from canale_templates) as templates,
        not exists (select from canale_subscribers) as "isEmpty"`;
    const cache = new PgSubscriberCache(state?.topics ?? [], state?.templates ?? []);
    // nobody to fetch: every lookup is answered (a first import's million inserts need no query of their keys)
    if (state?.isEmpty === true) cache.markEveryone();
    else await fetchKeys(tx, cache, hintKeys(hints));
    for (let round = 1; ; round++) {
      const view = new IndexedTransaction(cache, new Map(), cache.topics);
      let outcome: { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown };
      try {
        outcome = { ok: true, value: work(view) };
      } catch (error) {
        outcome = { ok: false, error };
      }
      const missed = cache.takeMisses();
      if (missed.everyone) {
        await fetchEveryone(tx, cache);
        continue;
      }
      // every key answered "absent" without being fetched is fetched now: when none is there the answers were right
      if (missed.keys.size > 0 && (await fetchKeys(tx, cache, missed.keys)) > 0) {
        if (round >= ROUNDS_BEFORE_EVERYONE) await fetchEveryone(tx, cache);
        continue;
      }
      if (!outcome.ok) throw outcome.error;
      const writes = writesOf(view, cache);
      if (hasWrites(writes)) await writeChanges(tx, writes, view, { rows: this.options.bulkRows ?? BULK_ROWS, held: () => heldRows(tx, cache) });
      return outcome.value;
    }
  }

  /**
   * A unique violation at commit (a writer that did not take the lock, or a row edited by hand) as SUBSCRIBER_EXISTS,
   * naming the holder as the transaction's own checks do; any other error as it is.
   */
  private async asExists(error: unknown): Promise<unknown> {
    const e = error as { code?: string; constraint_name?: string; detail?: string };
    const value = /\)=\((.*)\) (?:already exists|is duplicated)/s.exec(e.detail ?? '')?.[1];
    if (e.code !== '23505' || value === undefined) return error;
    if (e.constraint_name === 'canale_subscribers_pkey') return idTaken(value);
    const unique = UNIQUE[e.constraint_name ?? ''];
    if (unique === undefined) return error;
    const holder = await this.find(unique.key(value));
    const what = `${unique.what} ${value}`;
    return holder === undefined ? new CanaleError('SUBSCRIBER_EXISTS', `another subscriber already has ${what}`) : subscriberExists(holder, what);
  }
}
