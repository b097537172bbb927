// The PostgreSQL server of bench/postgres.mjs: a throwaway cluster of scripts/pg-cluster.mjs, durable (fsync on, as a
// real server runs), or the server CANALE_BENCH_DATABASE_URL names (a role that may create databases); a fresh
// database per part, migrated by `canale db migrate`, or copied from a loaded one; every database it made dropped.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { postgresBin, startCluster, stopCluster } from '../scripts/pg-cluster.mjs';
import { measureNode } from './measure.mjs';

const BIN = fileURLToPath(new URL('../bin/canale.js', import.meta.url));

/** The same server, another database. */
export function withDatabase(url, database) {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/**
 * The server: `{ url, where, fresh(name, { template, home }), drop(name), stop() }`, or undefined (said why) when no
 * PostgreSQL is installed and none is named. `fresh` makes the database `name` (dropped first if there) — empty, or a
 * copy of `template` — runs `canale db migrate` on it from `home`, and returns its URL.
 */
export async function startServer() {
  const given = process.env.CANALE_BENCH_DATABASE_URL;
  let cluster;
  if (given === undefined || given === '') {
    try {
      postgresBin();
    } catch (error) {
      console.log(`skipped: ${error.message}`);
      return undefined;
    }
    cluster = startCluster(mkdtempSync(join(tmpdir(), 'canale-bench-pg-')), { durable: true });
  }
  const url = cluster?.url ?? given;
  const { openDatabase } = await import('../dist/adapters/postgres/database.js');
  const admin = openDatabase(url, { max: 1 });
  const [{ version }] = await admin`select current_setting('server_version_num')::int as version`;
  const made = new Set();
  const drop = async (name) => {
    await admin`drop database if exists ${admin(name)} ${version >= 130000 ? admin`with (force)` : admin``}`;
    made.delete(name);
  };
  const fresh = async (name, { template, home }) => {
    await drop(name);
    made.add(name);
    if (template === undefined) await admin`create database ${admin(name)} template template0`;
    // a copy of the files (PostgreSQL 15's file_copy), not of the template's write-ahead log: a second, not ten
    else await admin`create database ${admin(name)} template ${admin(template)} ${version >= 150000 ? admin`strategy file_copy` : admin``}`;
    const fresh = withDatabase(url, name);
    // a copy is migrated already: `db migrate` then says so (and would bring it up to this canale's schema)
    await migrate(fresh, home);
    return fresh;
  };
  const stop = async () => {
    try {
      for (const name of [...made]) await drop(name);
    } finally {
      await admin.end({ timeout: 5 });
      if (cluster !== undefined) {
        stopCluster(cluster.dir);
        rmSync(cluster.dir, { recursive: true, force: true });
      }
    }
  };
  const where = cluster === undefined ? 'the server CANALE_BENCH_DATABASE_URL names' : `a throwaway cluster of PostgreSQL ${Math.floor(version / 10000)} (fsync on)`;
  return { url, where, fresh, drop, stop };
}

/** `canale db migrate` of the database `url` from the home `home`; throws unless it exits 0. */
export async function migrate(url, home) {
  const run = await measureNode([BIN, 'db', 'migrate', '--json'], { env: { CANALE_HOME: home, CANALE_DATABASE_URL: url } });
  if (run.code !== 0) throw new Error(`canale db migrate exited ${run.code}: ${run.stderr}`);
  return run;
}
