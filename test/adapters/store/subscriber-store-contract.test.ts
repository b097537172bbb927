import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureHome, homePaths } from '../../../src/adapters/home.js';
import { openDatabase } from '../../../src/adapters/postgres/database.js';
import { PgSubscriberStore } from '../../../src/adapters/postgres/pg-subscriber-store.js';
import { BULK_CHANGES, JsonSubscriberStore } from '../../../src/adapters/store/json-subscriber-store.js';
import { MemorySubscriberStore } from '../../../src/adapters/store/memory-subscriber-store.js';
import type { SubscriberStore } from '../../../src/core/ports.js';
import type { E164 } from '../../../src/core/phone.js';
import type { Subscriber, SubscriberId } from '../../../src/core/subscriber.js';
import type { TopicId } from '../../../src/core/topic.js';
import { aSubscriber } from '../../support/builders.js';
import { usePostgres } from '../../support/postgres.js';
import { sandboxTemplates } from '../../support/sandbox-templates.js';

/**
 * The SubscriberStore contract (DESIGN §5): the same tests against every implementation — the JSON files of a home
 * (db.json, its change log and index), the in-memory store and PostgreSQL (a fresh database per test).
 */
const dirs: string[] = [];
const pools: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((close) => close()));
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});
const pg = usePostgres();
async function pgStore(): Promise<SubscriberStore & { dir?: string }> {
  const sql = openDatabase(await pg.database(), { max: 4 });
  pools.push(() => sql.end({ timeout: 5 }));
  return new PgSubscriberStore(sql);
}
async function jsonStore(): Promise<SubscriberStore & { dir?: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'canale-sub-contract-'));
  dirs.push(dir);
  await ensureHome(homePaths(dir));
  return Object.assign(new JsonSubscriberStore(join(dir, 'db.json'), { lockWaitMs: 5_000 }), { dir });
}

const AT = '2026-12-02T10:00:00.000Z';
const input = (phone: string, email?: string) => ({ phone: phone as E164, ...(email === undefined ? {} : { email: email as never }), topics: ['cantieri' as TopicId], channel: 'whatsapp' as const, attributes: {} });
const meta = (id: string) => ({ id: id as SubscriberId, now: AT, consent: { source: 'test', at: AT } });

describe.each([
  ['JSON files', jsonStore],
  ['memory', async (): Promise<SubscriberStore & { dir?: string }> => new MemorySubscriberStore()],
  ['PostgreSQL', pgStore],
])('the SubscriberStore contract: %s', (_name, make: () => Promise<SubscriberStore & { dir?: string }>) => {
  it('finds a subscriber by id, phone, e-mail in any case and WhatsApp user id, and nobody else', async () => {
    const store = await make();
    const s = aSubscriber({ phone: '+393330000001' as E164, email: 'Maria@Example.IT' as never, whatsappUserId: 'IT.123' });
    await store.transaction({}, (tx) => tx.insert(s));
    for (const key of [{ id: s.id }, { phone: '+393330000001' }, { email: 'maria@example.it' }, { userId: 'IT.123' }]) expect((await store.find(key))?.id).toBe(s.id);
    expect(await store.find({ phone: '+393330000002' })).toBeUndefined();
    expect(await store.find({ id: 'sub_nobody' })).toBeUndefined();
  });

  it('refuses a second subscriber with a phone, e-mail, user id or id already held, naming the holder', async () => {
    const store = await make();
    const held = aSubscriber({ phone: '+393330000001' as E164, email: 'a@example.it' as never, whatsappUserId: 'IT.1' });
    await store.transaction({}, (tx) => tx.insert(held));
    const clashes: Subscriber[] = [
      aSubscriber({ phone: '+393330000001' as E164 }),
      aSubscriber({ email: 'A@EXAMPLE.IT' as never }),
      aSubscriber({ whatsappUserId: 'IT.1' }),
      aSubscriber({ id: held.id }),
    ];
    for (const clash of clashes) {
      await expect(store.transaction({}, (tx) => tx.insert(clash))).rejects.toThrow(expect.objectContaining({ code: 'SUBSCRIBER_EXISTS', message: expect.stringContaining(held.id) }));
    }
    await expect(store.transaction({}, (tx) => tx.add(input('+393330000001'), meta('sub_new')))).rejects.toThrow(/already has phone \+393330000001/);
    const other = aSubscriber();
    await store.transaction({}, (tx) => tx.insert(other));
    await expect(store.transaction({}, (tx) => tx.replace({ ...other, email: 'a@example.it' as never }))).rejects.toThrow(/already has e-mail/);
    expect(await store.count()).toBe(2);
  });

  it('lets exactly one of two concurrent transactions add the same phone', async () => {
    const store = await make();
    const results = await Promise.allSettled([1, 2].map((n) => store.transaction({ phones: ['+393331112222'] }, (tx) => tx.add(input('+393331112222'), meta(`sub_race${n}`)))));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(await store.count()).toBe(1);
  });

  it('keeps nothing of a transaction whose work throws, however much it changed first', async () => {
    const store = await make();
    const kept = aSubscriber();
    await store.transaction({}, (tx) => tx.insert(kept));
    await expect(
      store.transaction({}, (tx) => {
        tx.insert(aSubscriber());
        tx.replace({ ...kept, name: 'changed' });
        tx.putTopic({ id: 'verde' as TopicId, label: 'Verde' });
        throw new Error('stop');
      }),
    ).rejects.toThrow('stop');
    expect(await store.count()).toBe(1);
    expect((await store.find({ id: kept.id }))?.name).toBe(kept.name);
    expect((await store.topics()).some((t) => t.id === 'verde')).toBe(false);
  });

  it('scans with filters (topic, status, where, search) and counts the same', async () => {
    const store = await make();
    const people = [
      aSubscriber({ topics: ['cantieri'], attributes: { municipio: 'I' }, name: 'Anna Neri' }),
      aSubscriber({ topics: ['scuola'], attributes: { municipio: 'II' } }),
      aSubscriber({ topics: ['cantieri', 'scuola'], status: 'unsubscribed' }),
    ];
    await store.transaction({}, (tx) => people.forEach((p) => tx.insert(p)));
    const ids = async (filter: Parameters<SubscriberStore['scan']>[0]) => {
      const seen: string[] = [];
      const { matched, total } = await store.scan(filter, (s) => seen.push(s.id));
      expect(total).toBe(3);
      expect(matched).toBe(seen.length);
      expect(await store.count(filter)).toBe(seen.length);
      return seen;
    };
    expect(await ids(undefined)).toEqual(people.map((p) => p.id));
    expect(await ids({ topics: ['cantieri' as TopicId] })).toEqual([people[0]?.id, people[2]?.id]);
    expect(await ids({ status: 'active' })).toEqual([people[0]?.id, people[1]?.id]);
    expect(await ids({ where: [{ key: 'municipio', value: 'ii' }] })).toEqual([people[1]?.id]);
    expect(await ids({ search: 'neri' })).toEqual([people[0]?.id]);
  });

  it('finds those who follow or left a topic (touching), in the store\'s order, by every write path', async () => {
    const store = await make();
    const follows = aSubscriber({ topics: ['cantieri'] });
    const left = aSubscriber({ topics: ['scuola'], optedOutTopics: ['cantieri'] });
    const neither = aSubscriber({ topics: ['scuola'] });
    await store.transaction({}, (tx) => [follows, left, neither].forEach((p) => tx.insert(p)));
    const touching = async (topics: string[]) => {
      const seen: string[] = [];
      const { matched, total } = await store.scan({ touching: topics as TopicId[] }, (s) => seen.push(s.id));
      expect([matched, total]).toEqual([seen.length, 3]);
      expect(await store.count({ touching: topics as TopicId[] })).toBe(seen.length);
      return seen;
    };
    expect(await touching(['cantieri'])).toEqual([follows.id, left.id]);
    expect(await touching(['cantieri', 'scuola'])).toEqual([follows.id, left.id, neither.id]);
    // a replace that leaves the topic, and one that joins it again
    await store.transaction({ ids: [neither.id, left.id] }, (tx) => {
      tx.replace({ ...neither, optedOutTopics: ['cantieri' as TopicId] });
      tx.replace({ ...left, topics: ['scuola', 'cantieri'] as TopicId[], optedOutTopics: [] });
    });
    expect(await touching(['cantieri'])).toEqual([follows.id, left.id, neither.id]);
    expect(await touching(['mobilita'])).toEqual([]);
  });

  it('surveys: hands on those the filter matches and names the attribute keys of everyone, as they change', async () => {
    const store = await make();
    const survey = async (filter: Parameters<SubscriberStore['survey']>[0]) => {
      const seen: string[] = [];
      const { attributes, matched, total } = await store.survey(filter, (s) => seen.push(s.id));
      expect(matched).toBe(seen.length);
      return { seen, total, attributes: [...attributes].sort() };
    };
    expect(await survey(undefined)).toEqual({ seen: [], total: 0, attributes: [] });
    const a = aSubscriber({ topics: ['cantieri'], attributes: { municipio: 'I' } });
    const b = aSubscriber({ topics: ['scuola'], attributes: { municipio: 'II', cap: '00184' } });
    await store.transaction({}, (tx) => [a, b].forEach((p) => tx.insert(p)));
    // b is not in the audience, yet its "cap" is a field a placeholder may use
    expect(await survey({ topics: ['cantieri' as TopicId] })).toEqual({ seen: [a.id], total: 2, attributes: ['cap', 'municipio'] });
    await store.transaction({ ids: [b.id] }, (tx) => tx.replace({ ...b, attributes: { municipio: 'II', scuola: 'Mazzini' } }));
    expect((await survey(undefined)).attributes).toEqual(['municipio', 'scuola']);
    // the last holder of a key gone (forget), the key is gone; one still held stays
    await store.transaction({ ids: [b.id] }, (tx) => tx.remove(b.id));
    expect(await survey(undefined)).toEqual({ seen: [a.id], total: 1, attributes: ['municipio'] });
    // a transaction that throws counts nothing
    await expect(
      store.transaction({}, (tx) => {
        tx.insert(aSubscriber({ attributes: { quartiere: 'Prati' } }));
        throw new Error('stop');
      }),
    ).rejects.toThrow('stop');
    expect((await survey(undefined)).attributes).toEqual(['municipio']);
  });

  it('replaces, removes and finds by the new keys only, in the next transaction and the next read', async () => {
    const store = await make();
    const s = aSubscriber({ phone: '+393330000009' as E164 });
    const gone = aSubscriber();
    await store.transaction({}, (tx) => [s, gone].forEach((p) => tx.insert(p)));
    await store.transaction({ ids: [s.id] }, (tx) => tx.replace({ ...s, phone: '+393330000010' as E164 }));
    expect(await store.find({ phone: '+393330000009' })).toBeUndefined();
    expect((await store.find({ phone: '+393330000010' }))?.id).toBe(s.id);
    await store.transaction({}, (tx) => {
      expect(tx.find({ phone: '+393330000010' as E164 })?.id).toBe(s.id);
      expect(tx.remove(gone.id).id).toBe(gone.id);
      expect(tx.findById(gone.id)).toBeUndefined();
    });
    expect(await store.find({ id: gone.id })).toBeUndefined();
    expect(await store.count()).toBe(1);
  });

  it('keeps the topic catalogue and the synced templates', async () => {
    const store = await make();
    await store.transaction({}, (tx) => {
      tx.putTopic({ id: 'verde' as TopicId, label: 'Verde pubblico' });
      tx.removeTopic('eventi' as TopicId);
      tx.setTemplates(sandboxTemplates().slice(0, 2));
    });
    const topics = (await store.topics()).map((t) => t.id);
    expect(topics).toContain('verde');
    expect(topics).not.toContain('eventi');
    expect((await store.templates()).map((t) => t.name)).toEqual(sandboxTemplates().slice(0, 2).map((t) => t.name));
  });

  it('tells whether a consent source is in the store already (a reply applied once)', async () => {
    const store = await make();
    const s = aSubscriber({ history: [{ at: AT, action: 'unsubscribed', source: 'whatsapp:wamid.A' }] });
    await store.transaction({}, (tx) => tx.insert(s));
    await store.transaction({ sources: ['whatsapp:wamid.A', 'whatsapp:wamid.B'] }, (tx) => {
      expect(tx.hasSource('whatsapp:wamid.A')).toBe(true);
      expect(tx.hasSource('whatsapp:wamid.B')).toBe(false);
    });
  });

  it('takes a bulk change (an import) and a scan inside the transaction that sees it', async () => {
    const store = await make();
    const many = Array.from({ length: BULK_CHANGES + 10 }, (_, i) => aSubscriber({ phone: `+39334${String(1000000 + i)}` as E164, email: undefined }));
    await store.transaction({}, (tx) => many.forEach((s) => tx.insert(s)));
    await store.transaction({}, (tx) => {
      let n = 0;
      tx.scan(() => n++);
      expect(n).toBe(many.length);
    });
    expect(await store.count()).toBe(many.length);
    expect((await store.find({ phone: `+39334${String(1000000 + 7)}` }))?.id).toBe(many[7]?.id);
  });

  it('visits each subscriber once in a scan inside a transaction, even one the visitor replaces', async () => {
    const store = await make();
    const [a, b] = [aSubscriber(), aSubscriber()];
    await store.transaction({}, (tx) => [a, b].forEach((s) => tx.insert(s)));
    await store.transaction({}, (tx) => {
      const c = tx.insert(aSubscriber());
      const seen: string[] = [];
      tx.scan((s) => {
        seen.push(s.id);
        tx.replace({ ...s, name: `${s.name ?? ''}!` });
      });
      expect(seen).toEqual([a.id, b.id, c.id]);
    });
    expect((await store.find({ id: a.id }))?.name).toBe(`${a.name ?? ''}!`);
  });

  it('leaves nothing of a removed subscriber in any of its files', async () => {
    const store = await make();
    const s = aSubscriber({ name: 'Zelinda Unica', phone: '+393339998877' as E164, email: 'zelinda@example.it' as never });
    await store.transaction({}, (tx) => tx.insert(s));
    await store.transaction({}, (tx) => tx.replace({ ...s, name: 'Zelinda Unica Bis' }));
    await store.transaction({}, (tx) => tx.remove(s.id));
    if (store.dir === undefined) return;
    for (const name of await readdir(store.dir)) {
      const text = await readFile(join(store.dir, name), 'latin1');
      for (const needle of ['Zelinda', '3339998877', 'zelinda@']) expect(text, name).not.toContain(needle);
    }
  });
});
