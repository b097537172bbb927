import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Sql } from '../../../src/adapters/postgres/database.js';
import { PgFeed } from '../../../src/adapters/postgres/pg-event-feed.js';
import { usePostgres } from '../../support/postgres.js';

const pg = usePostgres();
const pools: Sql[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((sql) => sql.end()));
});

describe('a PostgreSQL feed', () => {
  it('group-commits: appends made while a batch commits share the next INSERT, each resolving with where it ends', async () => {
    const sql = openDatabase(await pg.database());
    pools.push(sql);
    const feed = new PgFeed(sql, 'inbox', 'test');
    const texts = Array.from({ length: 40 }, (_, n) => `{"n":${n}}`);
    const ends = await Promise.all(texts.map((t) => feed.append([t])));
    // the first goes at once; the 39 that came meanwhile go together
    expect(feed.appends).toEqual({ begun: 2, isWriting: false });
    const { entries, size } = await feed.readFrom(0, 1024 * 1024);
    expect(entries.map((e) => e.text)).toEqual(texts);
    expect(ends).toEqual(entries.map((e) => e.next));
    expect(size).toBe(ends.at(-1));
    const [{ n } = { n: 0 }] = await sql<{ n: number }[]>`select count(*)::int as n from canale_inbox`;
    expect(n).toBe(40);
  });

  it('keeps a failed batch out whole, and the next one goes on', async () => {
    const sql = openDatabase(await pg.database());
    pools.push(sql);
    const feed = new PgFeed(sql, 'optouts', 'test');
    // a NUL cannot be in a PostgreSQL text: that batch fails, and nothing of it is kept
    await expect(feed.append(['{"ok":1}', 'bad\u0000'])).rejects.toThrow();
    expect(await feed.size()).toBe(0);
    expect(await feed.append(['{"ok":2}'])).toBe(9);
    expect((await feed.readFrom(0, 100)).entries.map((e) => e.text)).toEqual(['{"ok":2}']);
  });
});
