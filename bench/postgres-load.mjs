// Child of bench/postgres.mjs: loads subscribers 0…N−1 of generate-store.mjs into the migrated, empty database URL
// through the ports — one PgSubscriberStore.transaction inserting every record as it is (an import's rows: one COPY,
// the indexes made after) — and prints `{ ms, loaded }`, ms of the transaction alone.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../dist/adapters/clock.js';
import { homePaths } from '../dist/adapters/home.js';
import { pgPersistence } from '../dist/adapters/postgres/pg-persistence.js';
import { subscriber } from './generate-store.mjs';

const [url, count] = [process.argv[2], Number(process.argv[3])];
const home = mkdtempSync(join(tmpdir(), 'canale-bench-pg-load-'));
const ports = await pgPersistence(url, homePaths(home), { clock: systemClock });
try {
  const started = globalThis.performance.now();
  const loaded = await ports.subscribers.transaction({}, (tx) => {
    for (let i = 0; i < count; i++) tx.insert(subscriber(i));
    return count;
  });
  console.log(JSON.stringify({ ms: globalThis.performance.now() - started, loaded }));
} finally {
  await ports.close();
  rmSync(home, { recursive: true, force: true });
}
