import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Sql } from '../../../src/adapters/postgres/database.js';
import { PgSubscriberStore } from '../../../src/adapters/postgres/pg-subscriber-store.js';
import { COPY_ROWS } from '../../../src/adapters/postgres/pg-subscriber-writes.js';
import type { E164 } from '../../../src/core/phone.js';
import type { Subscriber, SubscriberId } from '../../../src/core/subscriber.js';
import { DEFAULT_TOPICS, type TopicId } from '../../../src/core/topic.js';
import { aSubscriber } from '../../support/builders.js';
import { usePostgres } from '../../support/postgres.js';

/**
 * What the PostgreSQL subscriber store promises beyond the contract suite (test/adapters/store/
 * subscriber-store-contract.test.ts): its order, its transactions run again when they looked up someone they did
 * not name, writers of other machines waiting for the lock, the database's own checks as a backstop, damage, bulk
 * loads with their indexes made again.
 */
const pg = usePostgres();
const pools: Sql[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((sql) => sql.end({ timeout: 5 })));
});
/** A pool on the database, as one machine has it. */
function machine(url: string): Sql {
  const sql = openDatabase(url, { max: 3 });
  pools.push(sql);
  return sql;
}
async function aStore(options: { readonly bulkRows?: number } = {}): Promise<{ store: PgSubscriberStore; sql: Sql; url: string }> {
  const url = await pg.database();
  const sql = machine(url);
  return { store: new PgSubscriberStore(sql, options), sql, url };
}
const ids = async (store: PgSubscriberStore, filter?: Parameters<PgSubscriberStore['scan']>[0]): Promise<Array<[string, number]>> => {
  const seen: Array<[string, number]> = [];
  await store.scan(filter, (s, i) => seen.push([s.id, i]));
  return seen;
};

describe('the PostgreSQL subscriber store', () => {
  it('starts with the default topic catalogue (migration 1 wrote it out: a change of DEFAULT_TOPICS needs a migration)', async () => {
    const { store } = await aStore();
    expect(await store.topics()).toEqual(DEFAULT_TOPICS);
    expect(await store.templates()).toEqual([]);
  });

  it('keeps the order of first insertion: a replace keeps its place, a subscriber removed and added again comes last', async () => {
    const { store } = await aStore();
    const [a, b, c] = [aSubscriber({ topics: ['scuola'] }), aSubscriber(), aSubscriber({ topics: ['scuola'] })];
    await store.transaction({}, (tx) => [a, b].forEach((s) => tx.insert(s)));
    await store.transaction({}, (tx) => tx.insert(c));
    await store.transaction({ ids: [a.id] }, (tx) => tx.replace({ ...a, name: 'Anna' }));
    expect(await ids(store)).toEqual([[a.id, 0], [b.id, 1], [c.id, 2]]);
    // each one's place among everyone, also when the database filters
    expect(await ids(store, { topics: ['scuola' as TopicId] })).toEqual([[a.id, 0], [c.id, 2]]);
    await store.transaction({}, (tx) => tx.remove(a.id));
    await store.transaction({}, (tx) => tx.insert(a));
    expect(await ids(store)).toEqual([[b.id, 0], [c.id, 1], [a.id, 2]]);
    await store.transaction({}, (tx) => {
      const seen: string[] = [];
      tx.scan((s) => seen.push(s.id));
      expect(seen).toEqual([b.id, c.id, a.id]);
    });
  });

  it('runs the work again when it looked up someone it did not name who is there, and keeps only that run', async () => {
    const { store } = await aStore();
    const held = aSubscriber({ phone: '+393330001111' as E164 });
    await store.transaction({}, (tx) => tx.insert(held));
    let runs = 0;
    const result = await store.transaction({}, (tx) => {
      runs++;
      const found = tx.find({ phone: '+393330001111' as E164 });
      // a first run is told nobody has the number: what it inserts must not be kept
      if (found === undefined) return tx.insert(aSubscriber({ phone: '+393330001111' as E164 })).id;
      return tx.replace({ ...found, name: 'Trovato' }).id;
    });
    expect(runs).toBe(2);
    expect(result).toBe(held.id);
    expect(await store.count()).toBe(1);
    expect((await store.find({ id: held.id }))?.name).toBe('Trovato');
  });

  it('runs the work once when what it did not name is nobody (a new subscriber with an id drawn inside it)', async () => {
    const { store } = await aStore();
    await store.transaction({}, (tx) => tx.insert(aSubscriber()));
    let runs = 0;
    const added = await store.transaction({ phones: ['+393330002222'] }, (tx) => {
      runs++;
      return tx.add({ phone: '+393330002222' as E164, topics: ['cantieri' as TopicId], channel: 'whatsapp', attributes: {} }, { id: `sub_drawn${runs}` as SubscriberId, now: '2026-12-01T10:00:00.000Z', consent: { source: 'cli', at: '2026-12-01T10:00:00.000Z' } });
    });
    expect(runs).toBe(1);
    expect((await store.find({ phone: '+393330002222' }))?.id).toBe(added.id);
  });

  it('rethrows the error of the last run only: one that came of not knowing someone yet is not the answer', async () => {
    const { store } = await aStore();
    const held = aSubscriber();
    await store.transaction({}, (tx) => tx.insert(held));
    // unnamed, the id is unknown at first: replace would say SUBSCRIBER_NOT_FOUND on that run
    await store.transaction({}, (tx) => tx.replace({ ...held, name: 'Nuovo' }));
    expect((await store.find({ id: held.id }))?.name).toBe('Nuovo');
    await expect(store.transaction({}, (tx) => tx.replace(aSubscriber()))).rejects.toThrow(expect.objectContaining({ code: 'SUBSCRIBER_NOT_FOUND' }));
  });

  it('finds a consent source applied already by index, named or not', async () => {
    const { store } = await aStore();
    await store.transaction({}, (tx) => tx.insert(aSubscriber({ history: [{ at: '2026-12-01T10:00:00.000Z', action: 'unsubscribed', source: 'whatsapp:wamid.Z' }] })));
    expect(await store.transaction({}, (tx) => [tx.hasSource('whatsapp:wamid.Z'), tx.hasSource('whatsapp:wamid.Y')])).toEqual([true, false]);
    expect(await store.transaction({ sources: ['whatsapp:wamid.Z'] }, (tx) => tx.hasSource('whatsapp:wamid.Z'))).toBe(true);
  });

  it('makes a writer of another machine wait for the lock, then work on what the holder committed', async () => {
    const { url } = await aStore();
    const other = machine(url);
    const holder = await other.reserve();
    try {
      await holder`begin`;
      await holder`select pg_advisory_xact_lock(hashtext('canale'), hashtext('subscribers'))`;
      const waiting = new PgSubscriberStore(machine(url)).transaction({ phones: ['+393330003333'] }, (tx) =>
        tx.add({ phone: '+393330003333' as E164, topics: ['cantieri' as TopicId], channel: 'whatsapp', attributes: {} }, { id: 'sub_late' as SubscriberId, now: '2026-12-01T10:00:00.000Z', consent: { source: 'cli', at: '2026-12-01T10:00:00.000Z' } }),
      );
      // the waiting transaction is seen waiting on the advisory lock before the holder writes and commits
      for (;;) {
        const [row] = await other<{ n: number }[]>`select count(*)::int as n from pg_locks where locktype = 'advisory' and not granted`;
        if ((row?.n ?? 0) > 0) break;
      }
      const first = aSubscriber({ phone: '+393330003333' as E164 });
      await holder`insert into canale_subscribers (id, phone, email_key, status, topics, record) values (${first.id}, ${first.phone ?? null}, ${first.email ?? null}, 'active', ${['cantieri']}::text[], ${first as never}::json)`;
      await holder`commit`;
      await expect(waiting).rejects.toThrow(expect.objectContaining({ code: 'SUBSCRIBER_EXISTS', message: expect.stringContaining(first.id) }));
    } finally {
      holder.release();
    }
  });

  it('turns a unique violation at commit (a row changed by hand, not through canale) into SUBSCRIBER_EXISTS naming its holder', async () => {
    const { store, sql } = await aStore();
    const odd = aSubscriber({ phone: undefined });
    // its phone column holds a number its record does not have: canale's own check cannot see it, the constraint does
    await sql`insert into canale_subscribers (id, phone, status, topics, record) values (${odd.id}, '+393330004444', 'active', ${['cantieri']}::text[], ${odd as never}::json)`;
    await expect(store.transaction({}, (tx) => tx.insert(aSubscriber({ phone: '+393330004444' as E164 })))).rejects.toThrow(
      expect.objectContaining({ code: 'SUBSCRIBER_EXISTS', message: `subscriber ${odd.id} already has phone +393330004444 — see it with: canale subscribers show ${odd.id}` }),
    );
    expect(await store.count()).toBe(1);
  });

  it('reports a damaged record (STORE_DAMAGED) on every read and never writes over it', async () => {
    const { store, sql } = await aStore();
    const s = aSubscriber();
    await store.transaction({}, (tx) => tx.insert(s));
    await sql`update canale_subscribers set record = ${{ ...s, status: 'maybe' } as never}::json`;
    const damaged = expect.objectContaining({ code: 'STORE_DAMAGED', message: expect.stringContaining('canale_subscribers') });
    await expect(store.find({ id: s.id })).rejects.toThrow(damaged);
    await expect(store.scan(undefined, () => undefined)).rejects.toThrow(damaged);
    await expect(store.transaction({ ids: [s.id] }, (tx) => tx.replace({ ...s, name: 'x' }))).rejects.toThrow(damaged);
    const [row] = await sql<{ status: string }[]>`select record ->> 'status' as status from canale_subscribers`;
    expect(row?.status).toBe('maybe');
  });

  it('stops a scan whose visitor throws with that error, and goes on serving', async () => {
    const { store } = await aStore();
    await store.transaction({}, (tx) => [aSubscriber(), aSubscriber(), aSubscriber()].forEach((s) => tx.insert(s)));
    let visits = 0;
    await expect(
      store.scan(undefined, () => {
        visits++;
        throw new Error('interrupted');
      }),
    ).rejects.toThrow('interrupted');
    expect(visits).toBe(1);
    expect(await store.count()).toBe(3);
  });

  it('loads many into a small store with its indexes and constraints made again as they were, and checks them after', async () => {
    const { store, sql } = await aStore({ bulkRows: 50 });
    const schema = async () => ({
      indexes: await sql`select indexname, indexdef from pg_indexes where tablename = 'canale_subscribers' order by indexname`,
      constraints: await sql`select conname, pg_get_constraintdef(oid) as def, condeferrable, condeferred from pg_constraint where conrelid = 'canale_subscribers'::regclass order by conname`,
    });
    const before = await schema();
    const many = Array.from({ length: 120 }, (_, i) => aSubscriber({ phone: `+39335${String(1000000 + i)}` as E164 }));
    await store.transaction({}, (tx) => many.forEach((s) => tx.insert(s)));
    expect(await schema()).toEqual(before);
    expect((await ids(store)).map(([id]) => id)).toEqual(many.map((s) => s.id));
    expect((await store.find({ phone: '+393351000007' }))?.id).toBe(many[7]?.id);
    await expect(store.transaction({}, (tx) => tx.insert(aSubscriber({ phone: '+393351000007' as E164 })))).rejects.toThrow(/already has phone \+393351000007/);
  });

  it('replaces many at once in their places (a COPY to a staging table)', async () => {
    const { store } = await aStore();
    const many = Array.from({ length: COPY_ROWS + 20 }, (_, i) => aSubscriber({ phone: `+39336${String(1000000 + i)}` as E164 }));
    await store.transaction({}, (tx) => many.forEach((s) => tx.insert(s)));
    await store.transaction({}, (tx) => tx.scan((s) => tx.replace({ ...s, topics: ['scuola' as TopicId], name: `${s.name ?? ''}\tcon\\tab` })));
    const seen: Subscriber[] = [];
    await store.scan(undefined, (s) => seen.push(s));
    expect(seen.map((s) => s.id)).toEqual(many.map((s) => s.id));
    expect(seen[3]?.name).toBe(`${many[3]?.name ?? ''}\tcon\\tab`);
    expect(await store.count({ topics: ['scuola' as TopicId] })).toBe(many.length);
  });

  it('keeps no row that holds anything of a removed subscriber', async () => {
    const { store, sql } = await aStore();
    const s = aSubscriber({ name: 'Zelinda Unica', phone: '+393339998877' as E164, email: 'zelinda@example.it' as never });
    await store.transaction({}, (tx) => tx.insert(s));
    await store.transaction({}, (tx) => tx.remove(s.id));
    const [row] = await sql<{ n: number }[]>`select count(*)::int as n from canale_subscribers where record::text like '%Zelinda%' or phone = '+393339998877' or email_key like 'zelinda%'`;
    expect(row?.n).toBe(0);
  });
});
