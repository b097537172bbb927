import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Sql } from '../../../src/adapters/postgres/database.js';
import { PgScheduleStore } from '../../../src/adapters/postgres/pg-schedule-store.js';
import type { Schedule } from '../../../src/core/schedule/schedule.js';
import { usePostgres } from '../../support/postgres.js';

const pg = usePostgres();
const pools: Sql[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((sql) => sql.end()));
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

/** Only what these tests look at: the store keeps a schedule as it is given (the contract suite uses whole ones). */
const aSchedule = (id: string): Schedule => ({ id, status: 'active', runs: [] }) as unknown as Schedule;

async function machines(count: number, options: { lockWaitMs?: number } = {}): Promise<{ stores: PgScheduleStore[]; home: string; url: string }> {
  const url = await pg.database();
  const home = await mkdtemp(join(tmpdir(), 'canale-pg-schedules-'));
  dirs.push(home);
  const stores = Array.from({ length: count }, () => {
    const sql = openDatabase(url, { max: 4 });
    pools.push(sql);
    return new PgScheduleStore(sql, home, options);
  });
  return { stores, home, url };
}

describe('the PostgreSQL schedules across machines', () => {
  it('serialises the updates of two machines: each sees what the others kept', async () => {
    const { stores } = await machines(2);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, n) => (stores[n % 2] as PgScheduleStore).update((schedules) => ({ schedules: [...schedules, aSchedule(`sch_${n}`)], result: schedules.length }))),
    );
    expect(results.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, n) => n));
    expect((await (stores[1] as PgScheduleStore).list()).map((s) => s.id).sort()).toEqual(Array.from({ length: 20 }, (_, n) => `sch_${n}`).sort());
  });

  it("says BUSY, keeping nothing, when another machine's update holds the schedules longer than the wait; reads go on", async () => {
    const { stores, url } = await machines(1, { lockWaitMs: 100 });
    const store = stores[0] as PgScheduleStore;
    await store.update(() => ({ schedules: [aSchedule('sch_1')], result: undefined }));
    const other = openDatabase(url, { max: 1 });
    pools.push(other);
    const holder = await other.reserve();
    try {
      await holder`begin`;
      await holder`lock table canale_schedules in exclusive mode`;
      await expect(store.update(() => ({ schedules: [], result: undefined }))).rejects.toMatchObject({ code: 'BUSY' });
      expect((await store.list()).map((s) => s.id)).toEqual(['sch_1']);
      await holder`rollback`;
    } finally {
      holder.release();
    }
    expect(await store.update((schedules) => ({ schedules, result: schedules.length }))).toBe(1);
  });

  it('keeps a schedule as it was given, any character of its message included', async () => {
    const { stores } = await machines(1);
    const store = stores[0] as PgScheduleStore;
    const odd = { ...aSchedule('sch_1'), message: { body: 'a\u0000b \ud83d "q" \\' } } as unknown as Schedule;
    await store.update(() => ({ schedules: [odd], result: undefined }));
    expect(await store.list()).toEqual([odd]);
  });

  it("keeps the credentials in the home's schedule.env", async () => {
    const { stores, home } = await machines(1);
    const store = stores[0] as PgScheduleStore;
    expect(store.credentialsPath()).toBe(join(home, 'schedule.env'));
    await writeFile(join(home, 'schedule.env'), 'CANALE_WHATSAPP_TOKEN=abc\n', { mode: 0o600 });
    expect(await store.credentials()).toMatchObject({ vars: { CANALE_WHATSAPP_TOKEN: 'abc' }, problems: [], path: join(home, 'schedule.env'), mode: 0o600 });
  });
});
