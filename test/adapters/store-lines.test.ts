import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readStoreLines } from '../../src/adapters/store/store-lines.js';
import { serializeStore } from '../../src/adapters/store/store-file.js';
import type { StoreData } from '../../src/core/store-data.js';
import type { Subscriber } from '../../src/core/subscriber.js';
import { aStore, aSubscriber } from '../support/builders.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'canale-lines-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function written(data: StoreData): Promise<string> {
  const path = join(dir, 'db.json');
  await writeFile(path, [...serializeStore(data)].join(''));
  return path;
}

async function read(text: string): Promise<unknown> {
  const path = join(dir, 'db.json');
  await writeFile(path, text);
  return readStoreLines(path);
}

describe('readStoreLines', () => {
  it.each([
    ['an empty store', aStore()],
    ['no topics at all', { ...aStore(), topics: [] }],
    ['one subscriber', aStore([aSubscriber({ name: 'Niccolò, "il Magnifico"' })])],
    ['many subscribers', aStore(Array.from({ length: 50 }, () => aSubscriber()))],
  ])('reads back what canale writes: %s', async (_label, data) => {
    expect(await read([...serializeStore(data)].join(''))).toEqual(JSON.parse(JSON.stringify(data)));
  });

  it('reads a store of several read chunks, with records across chunk edges and accents split between bytes', async () => {
    const data = aStore(Array.from({ length: 30_000 }, (_, i) => aSubscriber({ name: `Niccolò Sforza ${i}`, attributes: { quartiere: 'Città Alta'.repeat(i % 7) } })));
    const text = [...serializeStore(data)].join('');
    expect(Buffer.byteLength(text)).toBeGreaterThan(9 * 1024 * 1024); // three 4 MB chunks at least
    expect(await read(text)).toEqual(JSON.parse(JSON.stringify(data)));
    expect(await read(text.replaceAll('\n', '\r\n'))).toEqual(JSON.parse(JSON.stringify(data)));
  });

  it('keeps one copy of the values subscribers have in common', async () => {
    const common = { topics: ['cantieri', 'scuola'], attributes: { municipio: 'I' }, consent: { source: 'import:a.csv#1', at: '2026-01-01T00:00:00.000Z' } };
    const data = aStore([aSubscriber(common), aSubscriber(common), aSubscriber({ ...common, attributes: { municipio: 'II' } })]);
    const read = (await readStoreLines(await written(data))) as typeof data;
    expect(read).toEqual(JSON.parse(JSON.stringify(data)));
    const [a, b, c] = read.subscribers as [Subscriber, Subscriber, Subscriber];
    expect(b.topics).toBe(a.topics);
    expect(b.consent).toBe(a.consent);
    expect(c.consent).toBe(a.consent);
    expect(b.attributes).toBe(a.attributes);
    expect(c.attributes).not.toBe(a.attributes);
  });

  it.each([
    ['pretty-printed JSON', (d: string) => JSON.stringify(JSON.parse(d), null, 2)],
    ['a missing comma between records', (d: string) => d.replace('},\n{"id":"sub_t', '}\n{"id":"sub_t')],
    ['a broken record', (d: string) => d.replace('"status":"active"', '"status":"active",,')],
    ['text after the end', (d: string) => `${d}garbage\n`],
    ['a truncated file', (d: string) => d.slice(0, d.length - 20)],
    ['a record that is not an object', (d: string) => d.replace(/\n\{"id":"sub_t[^\n]*\n\]/, '\n42\n]')],
  ])('leaves %s to the whole-file parser', async (_label, damage) => {
    const text = [...serializeStore(aStore([aSubscriber(), aSubscriber()]))].join('');
    const changed = damage(text);
    expect(changed).not.toBe(text);
    expect(await read(changed)).toBeUndefined();
  });

  it('hands subscribers over one by one, in order, keeping none, when asked to', async () => {
    const data = aStore(Array.from({ length: 20_000 }, (_, i) => aSubscriber({ name: `Niccolò ${i}` })));
    const seen: Array<[string, number]> = [];
    const read = (await readStoreLines(await written(data), { subscriber: (r, i) => seen.push([String(r.id), i]) })) as StoreData;
    expect(read.subscribers).toEqual([]);
    expect(read.topics).toEqual(data.topics);
    expect(seen).toEqual(data.subscribers.map((s, i) => [s.id, i]));
  });

  it('stops after the section it is asked for', async () => {
    const data = aStore(Array.from({ length: 5 }, () => aSubscriber()));
    const path = await written(data);
    expect(await readStoreLines(path, { until: 'topics' })).toEqual({ version: data.version, topics: JSON.parse(JSON.stringify(data.topics)) });
    // what follows the topics is not read: a damaged subscriber does not matter
    await writeFile(path, [...serializeStore(data)].join('').replace('"status":"active"', '"status":'));
    expect(await readStoreLines(path, { until: 'topics' })).toMatchObject({ topics: JSON.parse(JSON.stringify(data.topics)) });
    expect(await readStoreLines(path)).toBeUndefined();
  });
});
