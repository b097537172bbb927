import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import type { LockOwner } from '../../src/adapters/fs/lock-holder.js';
import { ensureHome, homePaths } from '../../src/adapters/home.js';
import { homePersistence } from '../../src/adapters/home-persistence.js';
import { openDatabase } from '../../src/adapters/postgres/database.js';
import { pgPorts } from '../../src/adapters/postgres/pg-persistence.js';
import { memoryPersistence } from '../../src/adapters/memory/memory-persistence.js';
import { MemoryLocks, type LockTable } from '../../src/adapters/memory/memory-locks.js';
import type { Persistence } from '../../src/core/ports.js';
import { FakeClock } from '../support/fake-deps.js';
import { usePostgres } from '../support/postgres.js';

/** The ports of one implementation, as one "process" sees them, and what a contract test needs to play crashes. */
export interface PortsUnderTest {
  readonly ports: Persistence;
  readonly clock: FakeClock;
  /** The same home (or database) as another process sees it: its locks are that process's. */
  as(process: LockOwner): Persistence;
  /** The lock `name` as a process killed while holding it (`kill -9`) left it, naming `holder`. */
  leftHeld(name: string, holder: { readonly campaign?: string; readonly pid: number }): Promise<void>;
}

export type MakePorts = (process: LockOwner) => Promise<PortsUnderTest>;

/** The processes of the lock tests: this one (4242), a live one (4343); any other pid is gone. */
export const THIS_PROCESS: LockOwner = { pid: 4242, alive: (pid) => pid === 4242 || pid === 4343 };
export const OTHER_PROCESS: LockOwner = { pid: 4343, alive: (pid) => pid === 4242 || pid === 4343 };

/**
 * Every implementation of the persistence ports, to run each contract suite against: the JSON files in a temporary
 * home (removed after each test), the in-memory ones, and PostgreSQL (a fresh database per test on the run's server).
 */
export function usePortImplementations(): {
  readonly json: MakePorts;
  readonly memory: MakePorts;
  readonly postgres: MakePorts;
  readonly all: ReadonlyArray<readonly [string, MakePorts]>;
} {
  const dirs: string[] = [];
  const pools: Array<() => Promise<void>> = [];
  afterEach(async () => {
    await Promise.all(pools.splice(0).map((close) => close()));
    await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
  });
  const pg = usePostgres();
  const json: MakePorts = async (process) => {
    const dir = await mkdtemp(join(tmpdir(), 'canale-ports-'));
    dirs.push(dir);
    const paths = homePaths(join(dir, 'home'));
    await ensureHome(paths);
    const clock = new FakeClock();
    return {
      ports: homePersistence(paths, { clock, owner: process }),
      clock,
      as: (other) => homePersistence(paths, { clock, owner: other }),
      async leftHeld(name, holder) {
        await mkdir(join(paths.home, `${name}.lock`), { mode: 0o700 });
        await writeFile(join(paths.home, `${name}.lock`, 'holder.json'), `${JSON.stringify({ pid: holder.pid, host: hostname(), nonce: 'killed' })}\n`);
        await writeFile(join(paths.home, `${name}.json`), `${JSON.stringify({ ...holder, host: hostname() })}\n`);
      },
    };
  };
  const memory: MakePorts = async (process) => {
    const clock = new FakeClock();
    const table: LockTable = new Map();
    const ports = memoryPersistence({ clock, process, locks: table });
    return {
      ports,
      clock,
      as: (other) => ({ ...ports, locks: new MemoryLocks({ process: other, table }) }),
      async leftHeld(name, holder) {
        table.set(name, holder);
      },
    };
  };
  // a fresh database per test; each "process" its own pool (its own sessions, so its own advisory locks)
  const postgres: MakePorts = async (process) => {
    const dir = await mkdtemp(join(tmpdir(), 'canale-ports-pg-'));
    dirs.push(dir);
    const paths = homePaths(join(dir, 'home'));
    await ensureHome(paths);
    const url = await pg.database();
    const clock = new FakeClock();
    const open = (owner: LockOwner): Persistence => {
      const ports = pgPorts(openDatabase(url), paths, { clock, owner });
      pools.push(async () => {
        await ports.events.close();
        await ports.close?.();
      });
      return ports;
    };
    return {
      ports: open(process),
      clock,
      as: open,
      async leftHeld(name, holder) {
        // a holder killed with -9: its row stays, its session (and so its advisory lock) is gone
        const sql = openDatabase(url, { max: 1 });
        try {
          await sql`insert into canale_locks (name, holder) values (${name}, ${sql.json({ ...holder, host: hostname() })})
            on conflict (name) do update set holder = excluded.holder, taken_at = now()`;
        } finally {
          await sql.end();
        }
      },
    };
  };
  return {
    json,
    memory,
    postgres,
    all: [
      ['JSON home', json],
      ['memory', memory],
      ['PostgreSQL', postgres],
    ],
  };
}
