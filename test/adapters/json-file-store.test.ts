import { mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureHome, homePaths } from '../../src/adapters/home.js';
import { JsonFileStore } from '../../src/adapters/store/json-file-store.js';
import { withFileLock } from '../../src/adapters/fs/file-lock.js';
import { serializeStore } from '../../src/adapters/store/store-file.js';
import { emptyStore, STORE_VERSION } from '../../src/core/store-data.js';
import { aStore, aSubscriber } from '../support/builders.js';

let dir: string;
let db: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'canale-store-'));
  await ensureHome(homePaths(dir));
  db = join(dir, 'db.json');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('JsonFileStore', () => {
  it('writes one record per line, keeps mode 0600 and leaves no temporary file', async () => {
    const store = new JsonFileStore(db);
    await store.update((data) => data.subscribers.push(aSubscriber({ name: 'Niccolò' })));
    const text = await readFile(db, 'utf8');
    expect(text.split('\n').filter((l) => l.startsWith('{"id":"sub_'))).toHaveLength(1);
    expect((await stat(db)).mode & 0o777).toBe(0o600);
    expect((await readdir(dir)).sort()).toEqual(['config.json', 'db.json']);
    expect((await store.read()).subscribers[0]?.name).toBe('Niccolò');
  });

  it('writes nothing when the change throws', async () => {
    const store = new JsonFileStore(db);
    const before = await readFile(db, 'utf8');
    await expect(
      store.update((data) => {
        data.subscribers.push(aSubscriber());
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    expect(await readFile(db, 'utf8')).toBe(before);
  });

  it('concurrent updates in one process are serialised, none lost', async () => {
    const store = new JsonFileStore(db);
    await Promise.all(Array.from({ length: 10 }, () => store.update((data) => data.subscribers.push(aSubscriber()))));
    expect((await store.read()).subscribers).toHaveLength(10);
  });

  it('gives up with BUSY (exit 4) when another canale holds the lock too long', async () => {
    const store = new JsonFileStore(db, { lockWaitMs: 200 });
    await withFileLock(db, { waitMs: 1000 }, async () => {
      await expect(store.update(() => undefined)).rejects.toMatchObject({ code: 'BUSY', exit: 'busy' });
    });
  });

  it('removes the temporary copies of db.json left by killed writes, not newer ones nor other files', async () => {
    const past = new Date('2026-01-01T00:00:00Z');
    const future = new Date(Date.now() + 3_600_000);
    const files = { dead: '.db.json.0123456789ab.tmp', live: '.db.json.ba9876543210.tmp', config: '.config.json.0123456789ab.tmp', other: '.db.json.notours.tmp' };
    for (const name of Object.values(files)) await writeFile(join(dir, name), '{"everyone":"data"}');
    for (const name of [files.dead, files.config, files.other]) await utimes(join(dir, name), past, past);
    // still being written by someone (its mtime is after the lock was taken): left alone
    await utimes(join(dir, files.live), future, future);
    await new JsonFileStore(db).update(() => undefined);
    expect((await readdir(dir)).sort()).toEqual([files.config, files.other, files.live, 'config.json', 'db.json'].sort());
  });

  it('reads a store written by hand, with any layout', async () => {
    await writeFile(db, JSON.stringify({ version: 1, topics: [], subscribers: [aSubscriber()] }, null, 4));
    expect((await new JsonFileStore(db).read()).subscribers).toHaveLength(1);
  });

  it('scans the subscribers to a visitor, checked, and returns the rest of the store', async () => {
    const store = new JsonFileStore(db);
    const people = [aSubscriber({ name: 'Niccolò' }), aSubscriber(), aSubscriber()];
    await store.update((data) => data.subscribers.push(...people));
    const seen: string[] = [];
    const scanned = await store.scan(() => (s, i) => seen.push(`${i}:${s.id}`));
    expect(seen).toEqual(people.map((p, i) => `${i}:${p.id}`));
    expect(scanned).toMatchObject({ version: STORE_VERSION, subscriberCount: 3, templates: [] });
    expect(scanned.topics).toEqual((await store.read()).topics);
    expect(await store.topics()).toEqual(scanned.topics);
  });

  it('scans a store without a file as the empty store', async () => {
    await rm(db);
    const store = new JsonFileStore(db);
    expect(await store.scan(() => () => expect.unreachable())).toMatchObject({ subscriberCount: 0, templates: [] });
    expect(await store.topics()).toEqual(emptyStore().topics);
  });

  it('starts a scan over with a fresh visitor when the file turns out to be laid out by hand half-way', async () => {
    const people = [aSubscriber(), aSubscriber(), aSubscriber()];
    const text = [...serializeStore(aStore(people))].join('');
    // the third record spread over two lines: valid JSON, but not canale's layout
    await writeFile(db, text.replace(`{"id":"${people[2]?.id}",`, `{"id":"${people[2]?.id}",\n`));
    const visitors: string[][] = [];
    const scanned = await new JsonFileStore(db).scan(() => {
      const seen: string[] = [];
      visitors.push(seen);
      return (s) => seen.push(s.id);
    });
    expect(visitors).toEqual([[people[0]?.id, people[1]?.id], people.map((p) => p.id)]);
    expect(scanned.subscriberCount).toBe(3);
  });

  it('names the damaged subscriber a scan meets, and the file', async () => {
    const people = [aSubscriber(), aSubscriber()];
    await writeFile(db, [...serializeStore(aStore(people))].join('').replace('"channel":"whatsapp"', '"channel":"fax"'));
    await expect(new JsonFileStore(db).scan(() => () => undefined)).rejects.toThrow(
      expect.objectContaining({ code: 'STORE_DAMAGED', message: expect.stringMatching(new RegExp(`${db} is damaged: subscribers\\[0\\] \\(${people[0]?.id}\\)\\.channel`)) }),
    );
  });
});
