import { emailKey } from '../../core/email.js';
import { CanaleError } from '../../core/errors.js';
import type { BookHints, ScanCount, SubscriberKey, SubscriberStore, SubscriberTransaction, SubscriberVisitor } from '../../core/ports.js';
import type { Subscriber } from '../../core/subscriber.js';
import { matchSubscriber, type SubscriberFilter } from '../../core/subscriber-filter.js';
import type { Template } from '../../core/template.js';
import type { Topic } from '../../core/topic.js';
import { idTaken, IndexedTransaction, subscriberExists } from '../store/indexed-transaction.js';
import type { Sql, TxSql } from './database.js';
import { PgSubscriberCache } from './pg-subscriber-cache.js';
import { pushedFilter } from './pg-subscriber-filter.js';
import { BATCH_ROWS, fetchEveryone, fetchKeys, hintKeys, readTemplates, readTopics, recordReader } from './pg-subscriber-reads.js';
import { hasWrites, writeChanges, writesOf } from './pg-subscriber-writes.js';

/** Runs of a transaction's work that may each find more to fetch; past them everyone is fetched (the work then cannot miss). */
const ROUNDS_BEFORE_EVERYONE = 8;

/** A unique constraint of canale_subscribers: what it holds, as SUBSCRIBER_EXISTS words it, and how to find the holder. */
const UNIQUE: Readonly<Record<string, { readonly what: string; readonly key: (value: string) => SubscriberKey }>> = {
  canale_subscribers_phone_key: { what: 'phone', key: (phone) => ({ phone }) },
  canale_subscribers_email_key_key: { what: 'e-mail', key: (email) => ({ email }) },
  canale_subscribers_user_id_key: { what: 'WhatsApp user id', key: (userId) => ({ userId }) },
};

/**
 * The SubscriberStore port in PostgreSQL (DESIGN §5): canale_subscribers, canale_topics and canale_templates
 * (schema/subscribers.ts), shared by every machine of a city.
 *
 * Reads take no lock and see one committed state: a lookup is one indexed query; a scan streams the rows in the
 * store's order through a cursor (the memory of a batch), inside one read-only snapshot.
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
 */
export class PgSubscriberStore implements SubscriberStore {
  constructor(private readonly sql: Sql) {}

  async find(key: SubscriberKey): Promise<Subscriber | undefined> {
    const sql = this.sql;
    const where =
      'id' in key ? sql`id = ${key.id}` : 'phone' in key ? sql`phone = ${key.phone}` : 'email' in key ? sql`email_key = ${emailKey(key.email)}` : sql`user_id = ${key.userId}`;
    const [row] = await sql<{ record: unknown }[]>`select record from canale_subscribers where ${where}`;
    return row !== undefined && recordReader()(row.record, 0) ? row.record : undefined;
  }

  async scan(filter: SubscriberFilter | undefined, visitor: SubscriberVisitor): Promise<ScanCount> {
    const matches = filter === undefined ? undefined : matchSubscriber(filter);
    return this.sql.begin('isolation level repeatable read read only', async (tx) => {
      const isSubscriber = recordReader();
      const { where } = pushedFilter(tx, filter);
      let matched = 0;
      let seen = 0;
      // each row's place among everyone: counted here, or by the database when it filters
      const rows =
        where === undefined
          ? tx<{ record: unknown; n?: number }[]>`select record from canale_subscribers order by position`
          : tx<{ record: unknown; n?: number }[]>`select s.n, s.record from (select (row_number() over (order by position))::int - 1 as n, topics, status, record from canale_subscribers) s where ${where} order by s.n`;
      for await (const batch of rows.cursor(BATCH_ROWS)) {
        for (const row of batch) {
          const index = row.n ?? seen++;
          if (!isSubscriber(row.record, index) || (matches !== undefined && !matches(row.record))) continue;
          matched++;
          visitor(row.record, index);
        }
      }
      if (where === undefined) return { total: seen, matched };
      const [all] = await tx<{ n: number }[]>`select count(*)::int as n from canale_subscribers`;
      return { total: all?.n ?? 0, matched };
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
    const [topics, templates] = await Promise.all([readTopics(tx), readTemplates(tx)]);
    const cache = new PgSubscriberCache(topics, templates);
    await fetchKeys(tx, cache, hintKeys(hints));
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
      if (hasWrites(writes)) await writeChanges(tx, writes, view);
      return outcome.value;
    }
  }

  /**
   * A unique violation at commit (a writer that did not take the lock, or a row edited by hand) as SUBSCRIBER_EXISTS,
   * naming the holder as the transaction's own checks do; any other error as it is.
   */
  private async asExists(error: unknown): Promise<unknown> {
    const e = error as { code?: string; constraint_name?: string; detail?: string };
    if (e.code !== '23505') return error;
    const value = /\)=\((.*)\) already exists/s.exec(e.detail ?? '')?.[1];
    if (value === undefined) return new CanaleError('SUBSCRIBER_EXISTS', `another subscriber already has what this change gives (${e.constraint_name ?? 'a unique key'})`);
    if (e.constraint_name === 'canale_subscribers_pkey') return idTaken(value);
    const unique = UNIQUE[e.constraint_name ?? ''];
    const holder = unique === undefined ? undefined : await this.find(unique.key(value));
    const what = `${unique?.what ?? e.constraint_name ?? 'key'} ${value}`;
    return holder === undefined ? new CanaleError('SUBSCRIBER_EXISTS', `another subscriber already has ${what}`) : subscriberExists(holder, what);
  }
}
