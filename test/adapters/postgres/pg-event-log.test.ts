import { afterEach, describe, expect, it, vi } from 'vitest';
import { openDatabase, type Sql } from '../../../src/adapters/postgres/database.js';
import { PgEventLog } from '../../../src/adapters/postgres/pg-event-log.js';
import type { E164 } from '../../../src/core/phone.js';
import type { SubscriberId } from '../../../src/core/subscriber.js';
import { aSubscriber } from '../../support/builders.js';
import { usePostgres } from '../../support/postgres.js';

/** What only the database can be in: several machines (each its own pool) on one inbox and one opt-out feed. */
const pg = usePostgres();
const AT = '2026-11-28T09:00:00.000Z';
const opened: Array<{ sql: Sql; log: PgEventLog }> = [];

afterEach(async () => {
  for (const { sql, log } of opened.splice(0)) {
    await log.close();
    await sql.end();
  }
});

/** `count` machines on one fresh database, and a pool to look at it with. */
async function machines(count: number): Promise<{ logs: PgEventLog[]; sql: Sql }> {
  const url = await pg.database();
  const logs = Array.from({ length: count }, () => {
    const sql = openDatabase(url, { max: 4 });
    const log = new PgEventLog(sql);
    opened.push({ sql, log });
    return log;
  });
  const sql = openDatabase(url, { max: 2 });
  opened.push({ sql, log: new PgEventLog(sql) });
  return { logs, sql };
}

/** An entry appended as a canale whose notification never arrives would append it: the polls must find it. */
async function appendUnheard(sql: Sql, feed: 'inbox' | 'optouts', text: string): Promise<void> {
  const bytes = Buffer.byteLength(text) + 1;
  await sql`
    with e as (update canale_feed_ends set size = size + ${bytes} where feed = ${feed} returning size)
    insert into ${sql(feed === 'inbox' ? 'canale_inbox' : 'canale_optouts')} (position, bytes, text) select e.size - ${bytes}, ${bytes}, ${text} from e`;
}

const anna = aSubscriber({ id: 'sub_anna' as SubscriberId, name: 'Anna Rossi', phone: '+393331234567' as E164 });
const bruno = aSubscriber({ id: 'sub_bruno' as SubscriberId, name: 'Bruno Bianchi', phone: '+393337654321' as E164 });
const messageFrom = (person: typeof anna) => ({ contacts: [{ profile: { name: person.name }, wa_id: person.phone?.slice(1) }], messages: [{ from: person.phone?.slice(1), id: `wamid.${person.id}`, type: 'text', text: { body: 'STOP' } }] });

describe('the PostgreSQL event log across machines', () => {
  it('has a watch on one machine see an opt-out appended on another within a second', async () => {
    const { logs } = await machines(2);
    const [sender, server] = logs as [PgEventLog, PgEventLog];
    const watch = await sender.watchOptOuts(await sender.optOutMark());
    await server.appendOptOuts([{ phone: '+393331234567', at: AT }]);
    await vi.waitFor(() => expect(watch.hasLeft(anna, ['cantieri'])).toBe(true), { timeout: 1000, interval: 10 });
    expect(watch.hasLeft(bruno, ['cantieri'])).toBe(false);
    await watch.close();
  });

  it('has a watch see an opt-out whose notification was lost, within a second (its poll)', async () => {
    const { logs, sql } = await machines(1);
    const watch = await (logs[0] as PgEventLog).watchOptOuts(0);
    await appendUnheard(sql, 'optouts', JSON.stringify({ at: AT, sub: 'sub_anna' }));
    await vi.waitFor(() => expect(watch.hasLeft(anna, [])).toBe(true), { timeout: 1000, interval: 10 });
    await watch.close();
  });

  it("wakes a webhook server for another machine's entries, once each, and for its own once", async () => {
    const { logs } = await machines(2);
    const [server, other] = logs as [PgEventLog, PgEventLog];
    let woken = 0;
    server.onRecorded(() => woken++);
    for (let n = 0; n < 3; n++) await server.record(AT, { n });
    expect(woken).toBe(3);
    await other.record(AT, { n: 3 });
    // its own three notifications arrive before the other's (one connection, in commit order): none woke it again
    await vi.waitFor(() => expect(woken).toBeGreaterThanOrEqual(4), { timeout: 1000, interval: 10 });
    expect(woken).toBe(4);
    expect((await server.readFrom(0)).lines.map((l) => (JSON.parse(l.text) as { payload: { n: number } }).payload.n)).toEqual([0, 1, 2, 3]);
  });

  it('wakes a webhook server for an entry whose notification was lost (its poll)', async () => {
    const { logs, sql } = await machines(1);
    let woken = 0;
    (logs[0] as PgEventLog).onRecorded(() => woken++);
    await appendUnheard(sql, 'inbox', JSON.stringify({ at: AT, payload: { n: 1 } }));
    await vi.waitFor(() => expect(woken).toBe(1), { timeout: 2500, interval: 10 });
  });

  it('keeps the appends of several machines at once in one order, none skipped by a reader following along', async () => {
    const { logs } = await machines(4);
    const [reader, ...writers] = logs as [PgEventLog, ...PgEventLog[]];
    const each = 150;
    const writing = Promise.all(writers.flatMap((log, w) => Array.from({ length: each }, (_, n) => log.record(AT, { w, n }))));
    const seen: Array<{ offset: number; text: string }> = [];
    let end = 0;
    while (seen.length < writers.length * each) {
      const read = await reader.readFrom(end);
      seen.push(...read.lines);
      end = read.end;
    }
    await writing;
    expect(seen.map((l) => l.text).sort()).toEqual(writers.flatMap((_, w) => Array.from({ length: each }, (_, n) => JSON.stringify({ at: AT, payload: { w, n } }))).sort());
    // each entry begins where the one before ends: a reader that read up to a position missed nothing before it
    seen.forEach((line, k) => expect(line.offset).toBe(k === 0 ? 0 : (seen[k - 1] as { offset: number }).offset + Buffer.byteLength((seen[k - 1] as { text: string }).text) + 1));
    expect(await reader.size()).toBe(end);
    // a machine's own entries keep the order it recorded them in
    for (let w = 0; w < writers.length; w++) {
      const own = seen.map((l) => JSON.parse(l.text) as { payload: { w: number; n: number } }).filter((e) => e.payload.w === w);
      expect(own.map((e) => e.payload.n)).toEqual(Array.from({ length: each }, (_, n) => n));
    }
  });

  it('counts failure streaks noted by two machines at once, every one', async () => {
    const { logs } = await machines(2);
    const [a, b] = await Promise.all(logs.map((log) => log.streaks()));
    await Promise.all(Array.from({ length: 20 }, () => [a?.note('sub_anna', true), b?.note('sub_anna', true)]).flat());
    expect(await a?.note('sub_anna', true)).toBe(41);
    expect(await b?.note('sub_anna', false)).toBe(0);
    expect(await a?.note('sub_anna', true)).toBe(1);
  });

  it('erases two people named in one payload, forgotten at once on two machines: neither is left', async () => {
    const { logs } = await machines(2);
    const [a, b] = logs as [PgEventLog, PgEventLog];
    for (let n = 0; n < 5; n++) await a.record(AT, { entry: [{ changes: [{ value: messageFrom(anna) }, { value: messageFrom(bruno) }] }] });
    await a.appendOptOuts([{ subscriberId: anna.id, at: AT }, { subscriberId: bruno.id, at: AT }]);
    expect(await Promise.all([a.erase(anna), b.erase(bruno)])).toEqual([2, 2]);
    const text = (await b.readFrom(0)).lines.map((l) => l.text).join('\n');
    for (const trace of ['393331234567', 'Anna Rossi', '393337654321', 'Bruno Bianchi']) expect(text).not.toContain(trace);
    const watch = await b.watchOptOuts(0);
    expect(watch.hasLeft(anna, [])).toBe(false);
    expect(watch.hasLeft(bruno, [])).toBe(false);
    await watch.close();
  });

  it('is read whole, cursor and all, by another machine', async () => {
    const { logs } = await machines(2);
    const [a, b] = logs as [PgEventLog, PgEventLog];
    await a.record(AT, { n: 1 });
    const cursor = { offset: 10, lines: 1, waiting: [0, 2 ** 40], waitingReceipts: 2, batches: 1, storeWrites: 0 };
    await a.saveCursor(cursor);
    expect(await b.cursor()).toEqual(cursor);
    expect(await b.lineAt(0)).toBe(JSON.stringify({ at: AT, payload: { n: 1 } }));
    expect(await b.lineAt(1)).toBeUndefined();
  });

  it('skips an entry longer than maxBytes, and one read from inside an entry starts at the next', async () => {
    const { logs } = await machines(1);
    const log = logs[0] as PgEventLog;
    await log.record(AT, { pad: 'x'.repeat(500) });
    await log.record(AT, { n: 2 });
    const { lines } = await log.readFrom(0);
    const second = (lines[1] as { offset: number }).offset;
    expect(await log.readFrom(0, 100)).toEqual({ lines: [], end: second, size: await log.size() });
    expect((await log.readFrom(5, 1000)).lines.map((l) => l.offset)).toEqual([second]);
  });

  it('listens again when its LISTEN connection is lost, and a watch hears the next opt-out by it', async () => {
    const { logs, sql } = await machines(2);
    const [sender, server] = logs as [PgEventLog, PgEventLog];
    const watch = await sender.watchOptOuts(0);
    const listeners = async () => sql<{ pid: number }[]>`select pid from pg_stat_activity where datname = current_database() and query ilike 'listen%'`;
    const [lost] = await listeners();
    await sql`select pg_terminate_backend(${lost?.pid ?? 0})`;
    // a new session listens within the second it waits before trying again
    await vi.waitFor(async () => expect((await listeners()).map((l) => l.pid === lost?.pid)).toEqual([false]), { timeout: 3000, interval: 20 });
    await server.appendOptOuts([{ subscriberId: 'sub_anna', at: AT }]);
    await vi.waitFor(() => expect(watch.hasLeft(anna, [])).toBe(true), { timeout: 1000, interval: 10 });
    await watch.close();
  });

  it('ends its LISTEN connection when closed', async () => {
    const { logs, sql } = await machines(1);
    const log = logs[0] as PgEventLog;
    log.onRecorded(() => undefined);
    const watch = await log.watchOptOuts(0);
    const listening = async () => (await sql<{ n: number }[]>`select count(*)::int as n from pg_stat_activity where datname = current_database() and query ilike 'listen%'`)[0]?.n;
    await vi.waitFor(async () => expect(await listening()).toBe(1), { timeout: 2000, interval: 10 });
    await watch.close();
    await log.close();
    await vi.waitFor(async () => expect(await listening()).toBe(0), { timeout: 2000, interval: 10 });
  });
});
