import { afterEach, describe, expect, it } from 'vitest';
import type { LockOwner } from '../../../src/adapters/fs/lock-holder.js';
import { openDatabase, type Sql } from '../../../src/adapters/postgres/database.js';
import { PgLocks } from '../../../src/adapters/postgres/pg-locks.js';
import { usePostgres } from '../../support/postgres.js';

const pg = usePostgres();
const pools: Sql[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((sql) => sql.end()));
});

/** A process on a machine of its own: the database is all it shares with the others (its own pool, its own sessions). */
function machine(url: string, pid: number): PgLocks {
  const sql = openDatabase(url, { max: 3 });
  pools.push(sql);
  // another machine's pids cannot be looked up here: none of them counts as alive
  const owner: LockOwner = { pid, alive: (other) => other === pid };
  return new PgLocks(sql, { owner });
}

function gate(): { readonly opened: Promise<void>; open(): void } {
  let open = (): void => undefined;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

/** Ends every session that holds an advisory lock on this database: what a `kill -9` of the holder, or its machine losing power, does. */
async function killHolders(url: string): Promise<number> {
  const admin = openDatabase(url, { max: 1 });
  try {
    const killed = await admin`select pg_terminate_backend(pid) from pg_locks
      where locktype = 'advisory' and granted and database = (select oid from pg_database where datname = current_database())`;
    return killed.length;
  } finally {
    await admin.end();
  }
}

describe('PgLocks across machines', () => {
  it('is held by a live session whatever its row says: busy on another machine, its holder seen sending', async () => {
    const url = await pg.database();
    const [a, b] = [machine(url, 101), machine(url, 202)];
    const [started, held] = [gate(), gate()];
    const sending = a.withSendLock({ campaign: 'cmp_a', startedAt: '2026-11-28T09:00:00.000Z' }, async () => {
      started.open();
      await held.opened;
      return 'sent';
    });
    await started.opened;
    expect(await b.sendingNow()).toBe('cmp_a');
    await expect(b.withSendLock({ campaign: 'cmp_b' }, async () => 'sent')).rejects.toMatchObject({ code: 'SEND_BUSY', exit: 'busy', message: expect.stringContaining('campaign cmp_a, started 2026-11-28T09:00:00.000Z') });
    held.open();
    expect(await sending).toBe('sent');
    expect(await b.sendingNow()).toBeUndefined();
    expect(await b.withSendLock({ campaign: 'cmp_b' }, async () => b.sendingNow())).toBe('cmp_b');
  });

  it('is free at once when its holder dies (its session ends): taken over, and the dead holder never removes its successor', async () => {
    const url = await pg.database();
    const [a, b] = [machine(url, 101), machine(url, 202)];
    const [started, held] = [gate(), gate()];
    const dying = a.withSendLock({ campaign: 'cmp_a' }, async () => {
      started.open();
      await held.opened;
      return 'ended';
    });
    await started.opened;
    expect(await killHolders(url)).toBe(1);
    expect(await b.sendingNow()).toBeUndefined();
    expect(await b.sendLockRecord()).toBe('cmp_a');
    const next = await b.withSendLock({ campaign: 'cmp_b' }, async () => {
      // the first holder's work ends now, its session gone: its clean-up must leave this lock and its row alone
      held.open();
      expect(await dying).toBe('ended');
      return [await b.sendingNow(), await a.sendingNow()];
    });
    expect(next).toEqual(['cmp_b', 'cmp_b']);
    expect(await a.withSendLock({ campaign: 'cmp_a' }, async () => 'again')).toBe('again');
  });

  it('leaves no lock behind in the pool: the connection it held goes back unlocked', async () => {
    const url = await pg.database();
    const sql = openDatabase(url, { max: 1 });
    pools.push(sql);
    const locks = new PgLocks(sql);
    await locks.withLock('schedule-run', {}, async () => undefined, () => new Error('busy'));
    await expect(locks.withSendLock({ campaign: 'cmp_a' }, () => Promise.reject(new Error('the transport broke')))).rejects.toThrow('the transport broke');
    expect(await sql`select canale_lock_held('sending') as sending, canale_lock_held('schedule-run') as run, (select count(*) from canale_locks) as rows`).toEqual([{ sending: false, run: false, rows: 0 }]);
    expect(await machine(url, 202).withSendLock({ campaign: 'cmp_b' }, async () => 'sent')).toBe('sent');
  });

  it('takes a row without a session as a dead holder when it cannot ask about processes (no owner given)', async () => {
    const url = await pg.database();
    const sql = openDatabase(url, { max: 2 });
    pools.push(sql);
    await sql`insert into canale_locks (name, holder) values ('sending', ${sql.json({ campaign: 'cmp_old', pid: process.pid, host: 'elsewhere' })})`;
    const locks = new PgLocks(sql);
    expect(await locks.sendingNow()).toBeUndefined();
    expect(await locks.withSendLock({ campaign: 'cmp_new' }, async () => locks.sendingNow())).toBe('cmp_new');
  });
});
