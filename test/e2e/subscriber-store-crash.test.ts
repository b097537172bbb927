import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import type * as StoreModule from '../../src/adapters/store/json-subscriber-store.js';
import type * as DepsModule from '../../src/deps.js';
import { useTempHome } from '../support/cli.js';

const t = useTempHome();
const dist = (path: string) => pathToFileURL(fileURLToPath(new URL(`../../dist/${path}`, import.meta.url))).href;

const SUBSCRIBER = `(id, phone) => ({ id, phone, name: 'Writer ' + id, topics: ['cantieri'], channel: 'whatsapp', status: 'active',
  attributes: { pad: 'x'.repeat(400) }, consent: { source: 'test', at: '2026-12-02T10:00:00.000Z' }, createdAt: '2026-12-02T10:00:00.000Z', updatedAt: '2026-12-02T10:00:00.000Z' })`;

/**
 * A child that adds sub_w<n> in transaction n, and in every third one also removes sub_w<n-1> (a removal folds: a new
 * db.json and index), saying each transaction once it has returned.
 */
const WRITER = `
const { JsonSubscriberStore } = await import(${JSON.stringify(dist('adapters/store/json-subscriber-store.js'))});
const { systemDeps } = await import(${JSON.stringify(dist('deps.js'))});
const [db, from] = process.argv.slice(1);
const store = new JsonSubscriberStore(db, { owner: systemDeps().processes });
const subscriber = ${SUBSCRIBER};
for (let n = Number(from); ; n++) {
  await store.transaction({}, (tx) => {
    tx.insert(subscriber('sub_w' + n, '+39335' + String(1000000 + n)));
    if (n % 3 === 0) tx.remove('sub_w' + (n - 1));
  });
  process.stdout.write(n + '\\n');
}`;

/** The writers' subscribers once transactions 1..n have all been made. */
function expectedAfter(n: number): string[] {
  const ids: string[] = [];
  for (let k = 1; k <= n; k++) {
    if (k % 3 === 0) ids.pop();
    ids.push(`sub_w${k}`);
  }
  return ids;
}

describe('the JSON subscriber store, its writer killed with SIGKILL at random instants', () => {
  it('every read after a kill sees the last transaction made or the one in flight, never half, and the next write does not wait', async () => {
    expect((await t.cli('init')).code).toBe(0);
    const db = join(t.home, 'db.json');
    const { JsonSubscriberStore } = (await import(dist('adapters/store/json-subscriber-store.js'))) as typeof StoreModule;
    const { systemDeps } = (await import(dist('deps.js'))) as typeof DepsModule;
    const owner = systemDeps().processes;
    const subscriber = new Function(`return ${SUBSCRIBER}`)() as (id: string, phone: string) => never;
    // a store of some size, so a fold takes long enough to be killed in
    const seed = new JsonSubscriberStore(db, { owner });
    await seed.transaction({}, (tx) => {
      for (let i = 0; i < 4000; i++) tx.insert(subscriber(`sub_s${i}`, `+39336${String(1000000 + i)}`));
    });
    let next = 1;
    // a seeded sequence of kill points: after 1..12 transactions, then 0..3 ms more
    let seedValue = 17;
    const random = (n: number) => ((seedValue = (seedValue * 48271) % 2147483647) % n);
    for (let round = 0; round < 8; round++) {
      const child = spawn(process.execPath, ['--input-type=module', '-e', WRITER, db, String(next)], { stdio: ['ignore', 'pipe', 'pipe'] });
      let acked = next - 1;
      let err = '';
      child.stderr.on('data', (c: Buffer) => (err += c));
      const after = 1 + random(12);
      const extraMs = random(4);
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (c: Buffer) => {
          acked = Math.max(acked, ...c.toString().trim().split('\n').map(Number));
          if (acked >= next - 1 + after) setTimeout(() => (child.kill('SIGKILL'), resolve()), extraMs);
        });
        child.once('exit', (code) => (code === null ? resolve() : reject(new Error(`the writer exited ${code}: ${err}`))));
      });
      await once(child, 'exit').catch(() => undefined);
      // no lock is cleared here: a holder killed at any instant, even while making its lock, is taken over at once
      const store = new JsonSubscriberStore(db, { owner, lockWaitMs: 10_000 });
      const written: string[] = [];
      const { total } = await store.scan(undefined, (s) => {
        if (s.id.startsWith('sub_w')) written.push(s.id);
      });
      const inFlight = written.length === expectedAfter(acked + 1).length && written.at(-1) === `sub_w${acked + 1}`;
      const done = inFlight ? acked + 1 : acked;
      expect(written).toEqual(expectedAfter(done));
      expect(total).toBe(4000 + round + written.length);
      // found through the index and the log as the scan found them
      const last = written.at(-1);
      if (last !== undefined) expect((await store.find({ phone: `+39335${String(1000000 + Number(last.slice(5)))}` }))?.id).toBe(last);
      const started = performance.now();
      await store.transaction({}, (tx) => tx.insert(subscriber(`sub_p${round}`, `+39337${String(1000000 + round)}`)));
      expect(performance.now() - started).toBeLessThan(10_000);
      expect((await store.find({ id: `sub_p${round}` }))?.id).toBe(`sub_p${round}`);
      next = done + 1;
    }
  }, 90_000);

  it('lets exactly one of two processes add the same phone at the same time', async () => {
    expect((await t.cli('init')).code).toBe(0);
    const db = join(t.home, 'db.json');
    const { JsonSubscriberStore } = (await import(dist('adapters/store/json-subscriber-store.js'))) as typeof StoreModule;
    const ADDER = `
const { JsonSubscriberStore } = await import(${JSON.stringify(dist('adapters/store/json-subscriber-store.js'))});
const store = new JsonSubscriberStore(process.argv[1]);
const subscriber = ${SUBSCRIBER};
try {
  await store.transaction({ phones: ['+393381234567'] }, (tx) => tx.insert(subscriber(process.argv[2], '+393381234567')));
  process.stdout.write('added');
} catch (error) {
  process.stdout.write(error.code);
}`;
    const run = (id: string) =>
      new Promise<string>((resolve) => {
        const child = spawn(process.execPath, ['--input-type=module', '-e', ADDER, db, id], { stdio: ['ignore', 'pipe', 'inherit'] });
        let out = '';
        child.stdout.on('data', (c: Buffer) => (out += c));
        child.once('exit', () => resolve(out));
      });
    const outcomes = (await Promise.all([run('sub_a1'), run('sub_a2'), run('sub_a3')])).sort();
    expect(outcomes).toEqual(['SUBSCRIBER_EXISTS', 'SUBSCRIBER_EXISTS', 'added']);
    expect(await new JsonSubscriberStore(db).count()).toBe(1);
  }, 30_000);
});
