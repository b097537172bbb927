import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import type * as JsonStoreModule from '../../src/adapters/store/json-file-store.js';
import type { Subscriber } from '../../src/core/subscriber.js';
import type * as DepsModule from '../../src/deps.js';
import { useTempHome } from '../support/cli.js';

const t = useTempHome();
const dist = (path: string) => pathToFileURL(fileURLToPath(new URL(`../../dist/${path}`, import.meta.url))).href;

/** A child that changes one subscriber again and again through the change log, saying each change once it is made. */
const WRITER = `
const { JsonFileStore } = await import(${JSON.stringify(dist('adapters/store/json-file-store.js'))});
const { systemDeps } = await import(${JSON.stringify(dist('deps.js'))});
const [db, id, from] = process.argv.slice(1);
const store = new JsonFileStore(db, { owner: systemDeps().processes, foldShare: 0.02 });
for (let n = Number(from); ; n++) {
  await store.change({ ids: [id] }, (book) => book.replace({ ...book.findById(id), attributes: { n: String(n), pad: 'x'.repeat(2000) } }));
  process.stdout.write(n + '\\n');
}`;

describe('the change log, its writer killed with SIGKILL at random instants', () => {
  it('every read after a kill sees the last change made or the one in flight, never half, and the next write does not wait', async () => {
    expect((await t.cli('subscribers', 'add', '--phone', '+39 333 100 0001', '--name', 'Anna', '--topics', 'cantieri')).code).toBe(0);
    const id = (JSON.parse((await t.cli('subscribers', 'list', '--json')).stdout) as Array<{ id: string }>)[0]?.id ?? '';
    const db = join(t.home, 'db.json');
    const { JsonFileStore } = (await import(dist('adapters/store/json-file-store.js'))) as typeof JsonStoreModule;
    const { systemDeps } = (await import(dist('deps.js'))) as typeof DepsModule;
    let next = 1;
    for (let round = 0; round < 8; round++) {
      const child = spawn(process.execPath, ['--input-type=module', '-e', WRITER, db, id, String(next)], { stdio: ['ignore', 'pipe', 'pipe'] });
      let acked = next - 1;
      let err = '';
      child.stderr.on('data', (c: Buffer) => (err += c));
      // killed after a varying number of changes (some of them folds: the log outgrows 2 % of db.json quickly), mid-write or between
      const after = 3 + ((round * 7) % 11);
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (c: Buffer) => {
          acked = Math.max(acked, ...c.toString().trim().split('\n').map(Number));
          if (acked >= next - 1 + after) setTimeout(() => (child.kill('SIGKILL'), resolve()), round % 3);
        });
        child.once('exit', (code) => (code === null ? resolve() : reject(new Error(`the writer exited ${code}: ${err}`))));
      });
      await once(child, 'exit').catch(() => undefined);
      // a lock folder made but whose holder.json is not yet whole (killed in the microseconds between the two) is
      // waited out for 30 s by design (DESIGN §5: no holder known, no takeover at once); that is the lock's case,
      // not the log's, so it is cleared here
      const lock = join(t.home, 'db.json.lock');
      const holder = await readFile(join(lock, 'holder.json'), 'utf8').catch(() => '');
      if (!holder.endsWith('}\n')) await rm(lock, { recursive: true, force: true });
      const store = new JsonFileStore(db, { owner: systemDeps().processes });
      const n = Number((await store.read()).subscribers[0]?.attributes.n);
      expect(n).toBeGreaterThanOrEqual(acked);
      expect(n).toBeLessThanOrEqual(acked + 1);
      const started = performance.now();
      await store.change({ ids: [id] }, (book) => book.replace({ ...(book.findById(id) as Subscriber), attributes: { n: String(n + 1) } }));
      expect(performance.now() - started).toBeLessThan(10_000);
      next = n + 2;
    }
    const shown = await t.cli('subscribers', 'show', id);
    expect(shown.code, shown.stderr).toBe(0);
  }, 60_000);
});
