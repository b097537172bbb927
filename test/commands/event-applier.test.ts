import { rm } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { readCursor } from '../../src/adapters/webhook/event-cursor.js';
import { EventLog } from '../../src/adapters/webhook/webhook-files.js';
import type { StoreData } from '../../src/core/store-data.js';
import type { Subscriber } from '../../src/core/subscriber.js';
import { aStore, aSubscriber } from '../support/builders.js';
import { aHome, AT, fakeReplies, memoryStore, optOutLines, startApplier, textPayload, type Running } from './applier-harness.js';

/** The webhook server's applier on a real event log and cursor, with the store in memory (its writes counted). */

let home = '';
let running: Running | undefined;

afterEach(async () => {
  await running?.close();
  running = undefined;
  await rm(home, { recursive: true, force: true });
});

const digits = (s: Subscriber) => (s.phone ?? '').slice(1);
const people = (n: number, topics = ['cantieri', 'scuola']) => Array.from({ length: n }, () => aSubscriber({ topics }));
const byId = (data: StoreData, id: string) => data.subscribers.find((s) => s.id === id);

describe('EventApplier: batches', () => {
  it('applies what the log held before it started in one store write, and 200 STOPs become 200 opt-outs and 200 confirmations', async () => {
    const citizens = people(200);
    const data = aStore(citizens);
    const store = memoryStore(data);
    home = await aHome([], 0);
    const replies = fakeReplies();
    // lines the server answered before a restart: the applier finds them after its cursor
    const log = new EventLog(home);
    await Promise.all(citizens.map((c, i) => log.record(AT, textPayload(digits(c), `wamid.in${i}`, 'STOP'))));
    await log.close();
    running = await startApplier(home, store, replies);
    await running.applied();
    expect(store.writes).toBe(1);
    expect(data.subscribers.every((s) => s.status === 'unsubscribed')).toBe(true);
    expect((await optOutLines(home)).map((o) => o.sub).sort()).toEqual(citizens.map((c) => c.id).sort());
    expect(replies.sent).toHaveLength(200);
    expect(await readCursor(home)).toMatchObject({ lines: 200, storeWrites: 1, waiting: [] });
  });

  it('every line that arrives while a batch is being applied forms the next batch: 100 lines, 2 store writes', async () => {
    const citizens = people(100);
    const data = aStore(citizens);
    const store = memoryStore(data);
    let release = () => undefined as void;
    store.gate = new Promise<void>((resolve) => (release = resolve));
    home = await aHome([], 0);
    running = await startApplier(home, store, fakeReplies());
    const { log } = running;
    await log.record(AT, textPayload(digits(citizens[0] as Subscriber), 'wamid.first', 'STOP'));
    // the first batch is inside its store write (held back): 99 more lines get on disk meanwhile
    await expect.poll(() => store.writes).toBe(1);
    await Promise.all(citizens.slice(1).map((c, i) => log.record(AT, textPayload(digits(c), `wamid.next${i}`, 'STOP'))));
    expect(store.writes).toBe(1);
    release();
    await running.applied();
    expect(store.writes).toBe(2);
    expect(running.batches.filter((b) => b.storeWrites > 0).map((b) => b.lines)).toEqual([1, 99]);
    expect(data.subscribers.filter((s) => s.status === 'unsubscribed')).toHaveLength(100);
  });

  it('applies in order: STOP then ISCRIVI in one batch leaves the citizen subscribed, and no opt-out reaches running sends', async () => {
    const [a, b] = people(2, ['cantieri']) as [Subscriber, Subscriber];
    const data = aStore([a, b]);
    home = await aHome([], 0);
    const log = new EventLog(home);
    await log.record(AT, textPayload(digits(a), 'wamid.a1', 'STOP'));
    await log.record(AT, textPayload(digits(a), 'wamid.a2', 'ISCRIVI cantieri'));
    await log.record(AT, textPayload(digits(b), 'wamid.b1', 'ISCRIVI scuola'));
    await log.record(AT, textPayload(digits(b), 'wamid.b2', 'STOP cantieri'));
    await log.close();
    running = await startApplier(home, memoryStore(data), fakeReplies());
    await running.applied();
    expect(byId(data, a.id)).toMatchObject({ status: 'active', topics: ['cantieri'] });
    expect(byId(data, a.id)?.history?.map((e) => e.action)).toEqual(['unsubscribed', 'topic-joined']);
    expect(byId(data, b.id)).toMatchObject({ status: 'active', topics: ['scuola'] });
    expect(await optOutLines(home)).toEqual([{ at: AT, sub: b.id, topic: 'cantieri' }]);
  });

  it("Meta's redeliveries change nothing: the same STOP three times (in one batch and the next) is applied and confirmed once", async () => {
    const [a] = people(1) as [Subscriber];
    const data = aStore([a]);
    const replies = fakeReplies();
    home = await aHome([], 0);
    running = await startApplier(home, memoryStore(data), replies);
    await Promise.all([running.log.record(AT, textPayload(digits(a), 'wamid.same', 'STOP')), running.log.record(AT, textPayload(digits(a), 'wamid.same', 'STOP'))]);
    await running.applied();
    await running.log.record(AT, textPayload(digits(a), 'wamid.same', 'STOP'));
    await running.applied();
    expect(byId(data, a.id)?.history).toHaveLength(1);
    expect(replies.sent).toHaveLength(1);
    // and after a restart (the "seen" memory gone), the store's consent history still knows it
    await running.close();
    running = await startApplier(home, memoryStore(data), replies);
    await running.log.record(AT, textPayload(digits(a), 'wamid.same', 'STOP'));
    await running.applied();
    expect(byId(data, a.id)?.history).toHaveLength(1);
    expect(replies.sent).toHaveLength(1);
  });

  it('applies one-click unsubscribes from the log: the topic left or everything, an unknown subscriber ignored, each an opt-out', async () => {
    const [a, b] = people(2) as [Subscriber, Subscriber];
    const data = aStore([a, b]);
    home = await aHome([], 0);
    running = await startApplier(home, memoryStore(data), fakeReplies());
    await running.log.recordPage(AT, { unsubscribe: { subscriberId: a.id, topic: 'cantieri', source: 'email:one-click' } });
    await running.log.recordPage(AT, { unsubscribe: { subscriberId: b.id, source: 'email:link' } });
    await running.log.recordPage(AT, { unsubscribe: { subscriberId: 'sub_gone', source: 'email:link' } });
    await running.applied();
    expect(byId(data, a.id)).toMatchObject({ status: 'active', topics: ['scuola'], history: [{ action: 'topic-left', topic: 'cantieri', source: 'email:one-click', at: AT }] });
    expect(byId(data, b.id)).toMatchObject({ status: 'unsubscribed', history: [{ action: 'unsubscribed', source: 'email:link' }] });
    expect(await optOutLines(home)).toEqual([
      { at: AT, sub: a.id, topic: 'cantieri' },
      { at: AT, sub: b.id },
    ]);
  });

  it("a user_preferences stop is recorded in the consent history but is not an opt-out: it blocks Meta's marketing templates only", async () => {
    const [a] = people(1) as [Subscriber];
    const data = aStore([a]);
    home = await aHome([], 0);
    running = await startApplier(home, memoryStore(data), fakeReplies());
    const payload = { entry: [{ changes: [{ value: { user_preferences: [{ wa_id: digits(a), value: 'stop', timestamp: '1764324000' }] } }] }] };
    await running.log.record(AT, payload);
    await running.log.record(AT, payload);
    await running.applied();
    expect(byId(data, a.id)).toMatchObject({ status: 'active', history: [{ action: 'marketing-stopped' }] });
    expect(byId(data, a.id)?.history).toHaveLength(1);
    expect(await optOutLines(home)).toEqual([]);
  });
});
