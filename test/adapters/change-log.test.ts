import { appendFile, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureHome, homePaths } from '../../src/adapters/home.js';
import { changeLogPath } from '../../src/adapters/store/change-log.js';
import { FOLD_MIN_BYTES, JsonFileStore } from '../../src/adapters/store/json-file-store.js';
import type { Subscriber } from '../../src/core/subscriber.js';
import { aSubscriber } from '../support/builders.js';

let dir: string;
let db: string;
let log: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'canale-changelog-'));
  await ensureHome(homePaths(dir));
  db = join(dir, 'db.json');
  log = changeLogPath(db);
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const named = (s: Subscriber, name: string): Subscriber => ({ ...s, name });
const scanned = async (store: JsonFileStore) => {
  const seen: Array<[string | undefined, number]> = [];
  await store.scan(() => (s, i) => seen.push([s.name, i]));
  return seen;
};

describe('the change log beside db.json', () => {
  it('a change appends only the subscribers it changed; db.json stays as it was; every read applies the log', async () => {
    const store = new JsonFileStore(db);
    const [a, b] = [aSubscriber({ name: 'Anna' }), aSubscriber({ name: 'Bruno' })];
    await store.update((data) => data.subscribers.push(a, b));
    const before = await readFile(db, 'utf8');
    await store.change({ ids: [b.id] }, (book) => book.replace(named(book.findById(b.id) as Subscriber, 'Bruna')));
    expect(await readFile(db, 'utf8')).toBe(before);
    const lines = (await readFile(log, 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain('Bruna');
    expect(lines[1]).not.toContain('Anna');
    expect((await stat(log)).mode & 0o777).toBe(0o600);
    expect((await store.read()).subscribers.map((s) => s.name)).toEqual(['Anna', 'Bruna']);
    expect(await scanned(store)).toEqual([['Anna', 0], ['Bruna', 1]]);
  });

  it('new subscribers come last, in the order added, in reads and scans alike', async () => {
    const store = new JsonFileStore(db);
    await store.update((data) => data.subscribers.push(aSubscriber({ name: 'Anna' })));
    await store.change({}, (book) => book.add({ name: 'Carla', phone: '+393331112222', topics: [], channel: 'whatsapp', attributes: {} } as never, { id: 'sub_c' as never, now: '2026-12-02T10:00:00.000Z', consent: { source: 'test', at: '2026-12-02T10:00:00.000Z' } }));
    expect((await store.read()).subscribers.map((s) => s.name)).toEqual(['Anna', 'Carla']);
    expect(await scanned(store)).toEqual([['Anna', 0], ['Carla', 1]]);
  });

  it('a change that throws writes nothing', async () => {
    const store = new JsonFileStore(db, { keep: true });
    const a = aSubscriber({ name: 'Anna' });
    await store.update((data) => data.subscribers.push(a));
    await expect(
      store.change({ ids: [a.id] }, (book) => {
        book.replace(named(a, 'Altra'));
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    expect(await readdir(dir)).not.toContain('db.changes.jsonl');
    expect((await store.read()).subscribers[0]?.name).toBe('Anna');
    // nor is the kept copy left changed: the next change starts from the file
    await store.change({}, () => undefined);
    expect((await store.read()).subscribers[0]?.name).toBe('Anna');
  });

  it('ignores a torn last line (a killed append) and cuts it off before the next append', async () => {
    const store = new JsonFileStore(db);
    const a = aSubscriber({ name: 'Anna' });
    await store.update((data) => data.subscribers.push(a));
    await store.change({ ids: [a.id] }, (book) => book.replace(named(a, 'Uno')));
    await appendFile(log, '{"put":[{"id":"sub_torn","na');
    expect((await store.read()).subscribers.map((s) => s.name)).toEqual(['Uno']);
    await store.change({ ids: [a.id] }, (book) => book.replace(named(book.findById(a.id) as Subscriber, 'Due')));
    expect((await store.read()).subscribers.map((s) => s.name)).toEqual(['Due']);
    expect(await readFile(log, 'utf8')).not.toContain('sub_torn');
  });

  it('ignores a log that names another db.json (a fold killed after its rename), and replaces it at the next change', async () => {
    const store = new JsonFileStore(db);
    const a = aSubscriber({ name: 'Anna' });
    await store.update((data) => data.subscribers.push(a));
    await store.change({ ids: [a.id] }, (book) => book.replace(named(a, 'Vecchia')));
    const stale = await readFile(log, 'utf8');
    await store.update((data) => data.subscribers.splice(0, 1, named(a, 'Nuova')));
    await writeFile(log, stale, { mode: 0o600 }); // as if the fold was killed before it removed the log
    expect((await store.read()).subscribers.map((s) => s.name)).toEqual(['Nuova']);
    await store.change({ ids: [a.id] }, (book) => book.replace({ ...(book.findById(a.id) as Subscriber), attributes: { via: 'x' } }));
    expect((await store.read()).subscribers.map((s) => [s.name, s.attributes.via])).toEqual([['Nuova', 'x']]);
  });

  it('names the log and the line when a line in the middle is damaged', async () => {
    const store = new JsonFileStore(db);
    const a = aSubscriber();
    await store.update((data) => data.subscribers.push(a));
    await store.change({ ids: [a.id] }, (book) => book.replace(named(a, 'Uno')));
    await store.change({ ids: [a.id] }, (book) => book.replace(named(a, 'Due')));
    const [header, , last] = (await readFile(log, 'utf8')).split('\n');
    await writeFile(log, `${header}\n{"put":[oops\n${last}\n`);
    await expect(store.read()).rejects.toMatchObject({ code: 'STORE_DAMAGED', message: expect.stringContaining(`${log} is damaged at line 2`) });
  });

  it('folds the log into db.json once it outgrows its share, and then removes it', async () => {
    const store = new JsonFileStore(db, { foldShare: 0 });
    const a = aSubscriber();
    await store.update((data) => data.subscribers.push(a));
    const big = 'x'.repeat(FOLD_MIN_BYTES / 4);
    for (let i = 0; i < 5; i++) await store.change({ ids: [a.id] }, (book) => book.replace({ ...(book.findById(a.id) as Subscriber), attributes: { note: `${i}${big}` } }));
    expect(await readFile(db, 'utf8')).toContain('"note":"'); // folded in at least once
    expect((await readdir(dir)).includes('db.changes.jsonl') ? (await stat(log)).size : 0).toBeLessThan(FOLD_MIN_BYTES);
    expect((await store.read()).subscribers[0]?.attributes.note).toBe(`4${big}`);
  });

  it('a whole-store update folds the log and removes it (forget leaves no old record behind)', async () => {
    const store = new JsonFileStore(db);
    const a = aSubscriber({ name: 'Anna' });
    await store.update((data) => data.subscribers.push(a));
    await store.change({ ids: [a.id] }, (book) => book.replace(named(a, 'Anna Rossi')));
    await store.update((data) => data.subscribers.splice(0, 1));
    expect(await readdir(dir)).not.toContain('db.changes.jsonl');
    expect(await readFile(db, 'utf8')).not.toContain('Anna');
  });

  it('a kept store sees what other processes changed: their appends, and a db.json they replaced', async () => {
    const server = new JsonFileStore(db, { keep: true });
    const other = new JsonFileStore(db);
    const [a, b] = [aSubscriber({ name: 'Anna' }), aSubscriber({ name: 'Bruno' })];
    await other.update((data) => data.subscribers.push(a, b));
    await server.change({ ids: [a.id] }, (book) => book.replace(named(a, 'A1')));
    await other.change({ ids: [b.id] }, (book) => book.replace(named(b, 'B1')));
    const names = await server.change({ ids: [a.id, b.id] }, (book) => [book.findById(a.id)?.name, book.findById(b.id)?.name]);
    expect(names).toEqual(['A1', 'B1']);
    await other.update((data) => data.subscribers.splice(1, 1));
    expect(await server.change({ ids: [b.id] }, (book) => book.findById(b.id))).toBeUndefined();
    expect((await server.read()).subscribers.map((s) => s.name)).toEqual(['A1']);
  });

  it('a kept store that folded goes on from the db.json it wrote, and still sees the appends of others after it', async () => {
    const server = new JsonFileStore(db, { keep: true, foldShare: 0 });
    const other = new JsonFileStore(db);
    const [a, b] = [aSubscriber({ name: 'Anna' }), aSubscriber({ name: 'Bruno' })];
    await other.update((data) => data.subscribers.push(a, b));
    const big = 'x'.repeat(FOLD_MIN_BYTES);
    await server.change({ ids: [a.id] }, (book) => book.replace({ ...a, attributes: { note: big } }));
    expect(await readdir(dir)).not.toContain('db.changes.jsonl'); // folded at once: the line alone outgrew the minimum
    await other.change({ ids: [b.id] }, (book) => book.replace(named(b, 'B1')));
    const seen = await server.change({ ids: [a.id, b.id] }, (book) => [book.findById(a.id)?.attributes.note?.length, book.findById(b.id)?.name]);
    expect(seen).toEqual([FOLD_MIN_BYTES, 'B1']);
  });
});
