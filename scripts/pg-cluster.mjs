#!/usr/bin/env node
// A throwaway PostgreSQL cluster for tests and benchmarks: `initdb` and `pg_ctl` of Debian's `postgresql` package,
// listening on a Unix socket in a temporary folder (no TCP port). PostgreSQL refuses to run as root, so as root the
// cluster belongs to the `postgres` user (runuser). Used by .ci/run, by the test suite's global setup when no
// CANALE_TEST_DATABASE_URL is given, and by `npm run bench`.
//
//   node scripts/pg-cluster.mjs start [DIR] [--durable]   prints the URL of the cluster's `postgres` database
//   node scripts/pg-cluster.mjs stop DIR
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where Debian (or PATH) has initdb and pg_ctl: the newest /usr/lib/postgresql/N/bin, else PATH. */
export function postgresBin() {
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions.length > 0) return join(root, versions[0], 'bin');
  }
  try {
    const initdb = execFileSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' }).trim();
    if (initdb !== '') return join(initdb, '..');
  } catch {
    // not on PATH either
  }
  throw new Error('PostgreSQL is not installed: initdb was not found in /usr/lib/postgresql/*/bin or on PATH — install it with: apt-get install -y postgresql (or set CANALE_TEST_DATABASE_URL to a server of your own)');
}

const asRoot = process.getuid?.() === 0;

function run(bin, args) {
  const command = join(postgresBin(), bin);
  const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
  return execFileSync(file, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/**
 * Starts a cluster in `dir` (made when absent) and returns the URL of its `postgres` database. `durable`: fsync on,
 * as a real server runs (benchmarks); without it fsync is off, which a test of canale's own guarantees does not need
 * (a killed canale process never takes the server with it).
 */
export function startCluster(dir = mkdtempSync(join(tmpdir(), 'canale-pg-')), { durable = false } = {}) {
  const data = join(dir, 'data');
  const socket = join(dir, 'socket');
  mkdirSync(socket, { recursive: true });
  if (asRoot) execFileSync('chown', ['-R', 'postgres:postgres', dir]);
  chmodSync(dir, 0o755);
  if (!existsSync(join(data, 'PG_VERSION'))) {
    run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C.UTF-8', '--no-sync']);
  }
  const settings = [
    `-c listen_addresses=''`,
    `-c unix_socket_directories=${socket}`,
    '-c max_connections=200',
    '-c shared_buffers=256MB',
    durable ? '' : '-c fsync=off -c synchronous_commit=off -c full_page_writes=off',
  ].join(' ');
  run('pg_ctl', ['-D', data, '-l', join(dir, 'server.log'), '-o', settings, '-w', '-t', '60', 'start']);
  const url = `postgres://postgres@localhost/postgres?host=${socket}`;
  writeFileSync(join(dir, 'url'), `${url}\n`);
  return { dir, url };
}

export function stopCluster(dir) {
  run('pg_ctl', ['-D', join(dir, 'data'), '-m', 'immediate', '-w', 'stop']);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [command, dir] = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  if (command === 'start') console.log(startCluster(dir, { durable: process.argv.includes('--durable') }).url);
  else if (command === 'stop' && dir !== undefined) stopCluster(dir);
  else {
    console.error('usage: node scripts/pg-cluster.mjs start [DIR] [--durable] | stop DIR');
    process.exit(2);
  }
}
