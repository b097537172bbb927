import { appendFile, mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { withFileLock } from '../../../src/adapters/fs/file-lock.js';
import { ensureHome, homePaths } from '../../../src/adapters/home.js';
import { changeLogPath } from '../../../src/adapters/store/change-log.js';
import { FOLD_MIN_BYTES, JsonSubscriberStore } from '../../../src/adapters/store/json-subscriber-store.js';
import { indexPath } from '../../../src/adapters/store/store-index.js';
import { serializeStore } from '../../../src/adapters/store/store-file.js';
import { emptyStore } from '../../../src/core/store-data.js';
import type { Subscriber } from '../../../src/core/subscriber.js';
import { aStore, aSubscriber } from '../../support/builders.js';

/** The JSON store's own promises, beyond the contract: its files, its log, its index, its lock, damage. */
let dir: string;
let db: string;
let log: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'canale-json-store-'));
  await ensureHome(homePaths(dir));
  db = join(dir, 'db.json');
  log = changeLogPath(db);
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const named = (s: Subscriber, name: string): Subscriber => ({ ...s, name });
const names = async (store: JsonSubscriberStore): Promise<Array<string | undefined>> => {
  const seen: Array<string | undefined> = [];
  await store.scan(undefined, (s) => seen.push(s.name));
  return seen;
};

describe('JsonSubscriberStore: its files', () => {
  it('writes one record per line with its index, 0600, and leaves no temporary file', async () => {
    const store = new JsonSubscriberStore(db);
    await store.transaction({}, (tx) => tx.setTemplates([])); // a fold: db.json and its index written
    await store.transaction({}, (tx) => tx.insert(aSubscriber({ name: 'Niccolò' })));
    expect((await readdir(dir)).sort()).toEqual(['config.json', 'db.changes.jsonl', 'db.json', 'db.json.index']);
    for (const file of [db, log, indexPath(db)]) expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await names(store)).toEqual(['Niccolò']);
  });

  it('indexes each line where it starts when names take several bytes (the offsets come from the bytes written)', async () => {
    const spellings = ['Niccolò', 'Zoë Ærø', 'Ελένη', '李雷', 'Mario 𝄞', 'Ana'];
    const people = Array.from({ length: 60 }, (_, i) => aSubscriber({ name: `${spellings[i % spellings.length]} ${'à'.repeat(i)}` }));
    const store = new JsonSubscriberStore(db);
    await store.transaction({}, (tx) => {
      for (const p of people) tx.insert(p);
      tx.setTemplates([]); // a fold: db.json written whole, with its index
    });
    const text = await readFile(db);
    for (const p of people) {
      expect((await store.find({ phone: p.phone as string }))?.name).toBe(p.name);
      expect((await store.find({ email: p.email as string }))?.id).toBe(p.id);
      expect(text.indexOf(Buffer.from(`{"id":"${p.id}"`))).toBeGreaterThan(0);
    }
  });

  it('a small change appends only what it changed to the log; db.json stays as it was', async () => {
    const store = new JsonSubscriberStore(db);
    const [a, b] = [aSubscriber({ name: 'Anna' }), aSubscriber({ name: 'Bruno' })];
    await store.transaction({}, (tx) => {
      tx.insert(a);
      tx.insert(b);
    });
    await store.transaction({}, (tx) => tx.setTemplates([])); // folded into db.json
    const before = await readFile(db, 'utf8');
    await store.transaction({ ids: [b.id] }, (tx) => tx.replace(named(b, 'Bruna')));
    expect(await readFile(db, 'utf8')).toBe(before);
    const lines = (await readFile(log, 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain('Bruna');
    expect(lines[1]).not.toContain('Anna');
    expect(await names(store)).toEqual(['Anna', 'Bruna']);
  });

  it('removes the temporary copies of db.json left by killed writes, not newer ones nor other files', async () => {
    const past = new Date('2026-01-01T00:00:00Z');
    const future = new Date(Date.now() + 3_600_000);
    const files = { dead: '.db.json.0123456789ab.tmp', live: '.db.json.ba9876543210.tmp', config: '.config.json.0123456789ab.tmp' };
    for (const name of Object.values(files)) await writeFile(join(dir, name), '{"everyone":"data"}');
    for (const name of [files.dead, files.config]) await utimes(join(dir, name), past, past);
    await utimes(join(dir, files.live), future, future);
    await new JsonSubscriberStore(db).transaction({}, (tx) => tx.insert(aSubscriber()));
    const left = await readdir(dir);
    expect(left).not.toContain(files.dead);
    expect(left).toEqual(expect.arrayContaining([files.live, files.config]));
  });

  it('gives up with BUSY (exit 4) when another canale holds the lock too long', async () => {
    const store = new JsonSubscriberStore(db, { lockWaitMs: 200 });
    await withFileLock(db, { waitMs: 1000 }, async () => {
      await expect(store.transaction({}, () => undefined)).rejects.toMatchObject({ code: 'BUSY', exit: 'busy' });
    });
  });
});

describe('JsonSubscriberStore: db.json written by others', () => {
  it('reads and changes a store written by hand, in any layout, and writes it back in its own', async () => {
    const people = [aSubscriber({ name: 'Uno' }), aSubscriber({ name: 'Due' })];
    await writeFile(db, JSON.stringify({ version: 1, topics: [], subscribers: people }, null, 4));
    const store = new JsonSubscriberStore(db);
    expect(await names(store)).toEqual(['Uno', 'Due']);
    expect((await store.find({ id: people[1]?.id ?? '' }))?.name).toBe('Due');
    await store.transaction({}, (tx) => tx.replace(named(people[0] as Subscriber, 'Primo')));
    expect(await names(store)).toEqual(['Primo', 'Due']);
    expect((await readFile(db, 'utf8')).split('\n').filter((l) => l.startsWith('{"id":"sub_'))).toHaveLength(2);
  });

  it('makes the index again for a db.json it does not name (a restore, an older canale), without rewriting db.json', async () => {
    const people = [aSubscriber(), aSubscriber(), aSubscriber()];
    await writeFile(db, [...serializeStore(aStore(people))].join(''));
    const before = await readFile(db, 'utf8');
    const store = new JsonSubscriberStore(db);
    await store.transaction({}, (tx) => expect(tx.find({ phone: people[2]?.phone as never })?.id).toBe(people[2]?.id));
    expect(await readFile(db, 'utf8')).toBe(before);
    expect(await readdir(dir)).toContain('db.json.index');
    await writeFile(indexPath(db), 'torn');
    expect((await store.find({ phone: people[1]?.phone as string }))?.id).toBe(people[1]?.id);
  });

  it('scans each subscriber once in a db.json laid out by hand half-way', async () => {
    const people = [aSubscriber(), aSubscriber(), aSubscriber()];
    const text = [...serializeStore(aStore(people))].join('');
    await writeFile(db, text.replace(`{"id":"${people[2]?.id}",`, `{"id":"${people[2]?.id}",\n`));
    const seen: string[] = [];
    expect((await new JsonSubscriberStore(db).scan(undefined, (s) => seen.push(s.id))).total).toBe(3);
    expect(seen).toEqual(people.map((p) => p.id));
  });

  it('names the damaged subscriber and the file, and never writes over it', async () => {
    const people = [aSubscriber(), aSubscriber()];
    const damaged = [...serializeStore(aStore(people))].join('').replace('"channel":"whatsapp"', '"channel":"fax"');
    await writeFile(db, damaged);
    const store = new JsonSubscriberStore(db);
    const expected = expect.objectContaining({ code: 'STORE_DAMAGED', message: expect.stringMatching(new RegExp(`${db} is damaged: subscribers\\[0\\] \\(${people[0]?.id}\\)\\.channel`)) });
    await expect(store.count()).rejects.toThrow(expected);
    await expect(store.transaction({}, (tx) => tx.insert(aSubscriber()))).rejects.toThrow(expect.objectContaining({ code: 'STORE_DAMAGED' }));
    expect(await readFile(db, 'utf8')).toBe(damaged);
  });

  it('is the empty store with the default topics when db.json is missing', async () => {
    await rm(db);
    const store = new JsonSubscriberStore(db);
    expect(await store.count()).toBe(0);
    expect(await store.topics()).toEqual(emptyStore().topics);
    expect(await store.find({ phone: '+393330000000' })).toBeUndefined();
  });
});

describe('JsonSubscriberStore: the change log', () => {
  it('ignores a torn last line (a killed append) and cuts it off before the next append', async () => {
    const store = new JsonSubscriberStore(db);
    const a = aSubscriber({ name: 'Anna' });
    await store.transaction({}, (tx) => tx.insert(a));
    await store.transaction({}, (tx) => tx.replace(named(a, 'Uno')));
    await appendFile(log, '{"put":[{"id":"sub_torn","na');
    expect(await names(store)).toEqual(['Uno']);
    await store.transaction({}, (tx) => tx.replace(named(a, 'Due')));
    expect(await names(store)).toEqual(['Due']);
    expect(await readFile(log, 'utf8')).not.toContain('sub_torn');
  });

  it('names the log and the line when a line in the middle is damaged', async () => {
    const store = new JsonSubscriberStore(db);
    const a = aSubscriber();
    await store.transaction({}, (tx) => tx.insert(a));
    await store.transaction({}, (tx) => tx.replace(named(a, 'Uno')));
    await store.transaction({}, (tx) => tx.replace(named(a, 'Due')));
    const lines = (await readFile(log, 'utf8')).split('\n');
    lines[2] = '{"put":[oops';
    await writeFile(log, lines.join('\n'));
    await expect(store.count()).rejects.toMatchObject({ code: 'STORE_DAMAGED', message: expect.stringContaining(`${log} is damaged at line 3`) });
  });

  it('folds the log into db.json once it outgrows its share, then removes it', async () => {
    const store = new JsonSubscriberStore(db);
    const a = aSubscriber();
    await store.transaction({}, (tx) => tx.insert(a));
    const big = 'x'.repeat(FOLD_MIN_BYTES / 4);
    for (let i = 0; i < 6; i++) await store.transaction({}, (tx) => tx.replace({ ...a, attributes: { note: `${i}${big}` } }));
    expect(await readFile(db, 'utf8')).toContain('"note":"');
    expect((await readdir(dir)).includes('db.changes.jsonl') ? (await stat(log)).size : 0).toBeLessThan(FOLD_MIN_BYTES + 20_000);
    expect((await store.find({ id: a.id }))?.attributes.note).toBe(`5${big}`);
  });
});
