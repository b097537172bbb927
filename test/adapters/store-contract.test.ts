import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureHome, homePaths } from '../../src/adapters/home.js';
import { JsonFileStore } from '../../src/adapters/store/json-file-store.js';
import { MemoryStore } from '../../src/adapters/store/memory-store.js';
import type { Store } from '../../src/core/ports.js';
import type { E164 } from '../../src/core/phone.js';
import { DEFAULT_TOPICS, type TopicId } from '../../src/core/topic.js';
import type { SubscriberId } from '../../src/core/subscriber.js';
import type { SubscriberBook } from '../../src/core/subscriber-book.js';
import { aSubscriber } from '../support/builders.js';

/**
 * The Store contract: the same tests against every implementation — the JSON files in the home (read afresh, and
 * kept in memory as the webhook server keeps it) and the in-memory store.
 */
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});
async function jsonStore(keep: boolean): Promise<Store> {
  const dir = await mkdtemp(join(tmpdir(), 'canale-contract-'));
  dirs.push(dir);
  await ensureHome(homePaths(dir));
  return new JsonFileStore(join(dir, 'db.json'), { keep });
}

const AT = '2026-12-02T10:00:00.000Z';
const addOne = (book: SubscriberBook, id: string, phone: string) =>
  book.add({ name: id, phone: phone as E164, topics: ['cantieri' as TopicId], channel: 'whatsapp', attributes: {} }, { id: id as SubscriberId, now: AT, consent: { source: 'test', at: AT } });

describe.each([
  ['JSON files', () => jsonStore(false)],
  ['JSON files, kept in memory', () => jsonStore(true)],
  ['memory', async () => new MemoryStore()],
])('the Store contract: %s', (_name, make: () => Promise<Store>) => {
  it('starts as the empty store with the default topics', async () => {
    const store = await make();
    const data = await store.read();
    expect(data.subscribers).toEqual([]);
    expect(data.topics.map((t) => t.id)).toEqual(DEFAULT_TOPICS.map((t) => t.id));
    expect((await store.topics()).map((t) => t.id)).toEqual(DEFAULT_TOPICS.map((t) => t.id));
  });

  it('update keeps what the change did; a change that throws keeps nothing', async () => {
    const store = await make();
    const [a, b] = [aSubscriber({ name: 'Anna' }), aSubscriber({ name: 'Bruno' })];
    await store.update((data) => data.subscribers.push(a, b));
    await expect(
      store.update((data) => {
        data.subscribers.splice(0, 2);
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    expect((await store.read()).subscribers.map((s) => s.name)).toEqual(['Anna', 'Bruno']);
  });

  it('a scan hands over every subscriber in order with its place, and the rest of the store', async () => {
    const store = await make();
    await store.update((data) => data.subscribers.push(aSubscriber({ name: 'Anna' }), aSubscriber({ name: 'Bruno' })));
    await store.change({}, (book) => addOne(book, 'sub_carla', '+393330000003'));
    const seen: Array<[string | undefined, number]> = [];
    const rest = await store.scan(() => (s, i) => seen.push([s.name, i]));
    expect(seen).toEqual([['Anna', 0], ['Bruno', 1], ['sub_carla', 2]]);
    expect(rest).toMatchObject({ subscriberCount: 3 });
    expect(rest.topics.length).toBe(DEFAULT_TOPICS.length);
  });

  it('change keeps only what went through its book, and nothing when it throws', async () => {
    const store = await make();
    const a = aSubscriber({ name: 'Anna' });
    await store.update((data) => data.subscribers.push(a));
    await store.change({ ids: [a.id] }, (book) => {
      book.replace({ ...a, name: 'Anna Rossi' });
      expect(() => book.data.topics.push({ id: 'nuovo' as TopicId, label: 'Nuovo' })).toThrow(TypeError);
    });
    await expect(
      store.change({ ids: [a.id] }, (book) => {
        book.replace({ ...a, name: 'Altra' });
        addOne(book, 'sub_x', '+393330000009');
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    const data = await store.read();
    expect(data.subscribers.map((s) => s.name)).toEqual(['Anna Rossi']);
    expect(data.topics.map((t) => t.id)).not.toContain('nuovo');
  });

  it('concurrent changes are serialised: none lost, and a phone stays unique', async () => {
    const store = await make();
    await Promise.all(Array.from({ length: 12 }, (_, i) => store.change({}, (book) => addOne(book, `sub_p${i}`, `+3933300001${String(i).padStart(2, '0')}`))));
    const same = await Promise.allSettled(Array.from({ length: 5 }, (_, i) => store.change({ phones: ['+393339999999'] }, (book) => addOne(book, `sub_same${i}`, '+393339999999'))));
    expect(same.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(same.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason.code)).toEqual(Array(4).fill('SUBSCRIBER_EXISTS'));
    const phones = (await store.read()).subscribers.map((s) => s.phone);
    expect(phones).toHaveLength(13);
    expect(new Set(phones).size).toBe(13);
  });

  it('a read hands out a copy: changing it changes nothing stored', async () => {
    const store = await make();
    await store.update((data) => data.subscribers.push(aSubscriber({ name: 'Anna' })));
    const copy = await store.read();
    copy.subscribers.splice(0, 1);
    expect((await store.read()).subscribers).toHaveLength(1);
  });
});
