import { appendFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { saveCampaign } from '../../src/adapters/campaign/campaign-store.js';
import { readCursor } from '../../src/adapters/webhook/event-cursor.js';
import type { ApplyStep } from '../../src/commands/webhook/event-applier.js';
import type { Subscriber } from '../../src/core/subscriber.js';
import { aStore, aSubscriber } from '../support/builders.js';
import { aHome, AT, CAMPAIGN, campaignRecord, fakeReplies, journalLines, memoryStore, optOutLines, startApplier, statusPayload, textPayload, type Running } from './applier-harness.js';

let home = '';
const open: Running[] = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((r) => r.close()));
  await rm(home, { recursive: true, force: true });
});

const digits = (s: Subscriber) => (s.phone ?? '').slice(1);
const delivered = (lines: string[], i: number) => lines.filter((l) => l === `{"i":${i},"s":"delivered","at":"${AT}"}`).length;
const sentRecord = (i: number) => `{"i":${i},"s":"sent","id":"wamid.S${i}","at":"${AT}"}\n`;

describe('EventApplier: a crash at any step', () => {
  it.each<ApplyStep>(['receipts', 'store', 'signups', 'optouts', 'confirmations', 'cursor'])('a crash at "%s" leaves the cursor before the batch; the restart applies each event once', async (step) => {
    const [a, b] = [aSubscriber({ topics: ['cantieri', 'scuola'] }), aSubscriber({ topics: ['cantieri', 'scuola'] })];
    const data = aStore([a, b]);
    home = await aHome([a.id, b.id], 2);
    const replies = fakeReplies();
    const crashing = await startApplier(home, memoryStore(data), replies, {
      beforeStep: (at) => {
        if (at === step) throw new Error(`crash at ${at}`);
      },
    });
    await crashing.log.record(AT, textPayload(digits(a), 'wamid.stop', 'STOP'));
    await crashing.log.record(AT, statusPayload('wamid.S0', 'delivered'));
    await crashing.log.recordPage(AT, { unsubscribe: { subscriberId: b.id, topic: 'scuola', source: 'email:one-click' } });
    await crashing.warned();
    await crashing.close();
    expect((await readCursor(home)).offset).toBe(0);

    const restarted = await startApplier(home, memoryStore(data), replies);
    open.push(restarted);
    await restarted.applied();
    expect(data.subscribers.find((s) => s.id === a.id)?.history?.map((e) => e.action)).toEqual(['unsubscribed']);
    expect(data.subscribers.find((s) => s.id === b.id)?.history?.map((e) => `${e.action} ${e.topic ?? ''}`)).toEqual(['topic-left scuola']);
    expect(delivered(await journalLines(home), 0)).toBe(1);
    // the feed may have an opt-out twice (a crash after it was appended): running sends read it as a set
    expect(new Set((await optOutLines(home)).map((o) => `${o.sub} ${o.topic ?? '*'}`))).toEqual(new Set([`${a.id} *`, `${b.id} scuola`]));
    // a confirmation is sent at most once: after the store change, so a crash before it loses it, never doubles it
    expect(replies.sent.length).toBe(['receipts', 'store', 'cursor'].includes(step) ? 1 : 0);
    expect(await readCursor(home)).toMatchObject({ lines: 3, waiting: [] });
  });
});

describe('EventApplier: receipts never dropped', () => {
  it('a receipt whose message id the journal has not yet waits, durably across a restart, and is applied when the id appears', async () => {
    const ids = ['sub_a', 'sub_b', 'sub_c'];
    home = await aHome(ids, 1);
    const first = await startApplier(home, memoryStore(aStore()), fakeReplies());
    await first.log.record(AT, statusPayload('wamid.S1', 'delivered'));
    await first.log.record(AT, statusPayload('wamid.S0', 'delivered'));
    await first.applied((b) => b.cursor.lines === 2 && b.waiting === 1);
    expect(delivered(await journalLines(home), 0)).toBe(1);
    const cursor = await readCursor(home);
    expect(cursor).toMatchObject({ lines: 2, waitingReceipts: 1, waiting: [0] });
    await first.close();

    // the server restarts; the send appends the missing id meanwhile
    await appendFile(join(home, 'campaigns', CAMPAIGN, 'journal.jsonl'), sentRecord(1));
    const second = await startApplier(home, memoryStore(aStore()), fakeReplies());
    open.push(second);
    await second.applied();
    const lines = await journalLines(home);
    expect([delivered(lines, 0), delivered(lines, 1)]).toEqual([1, 1]);
    expect(await readCursor(home)).toMatchObject({ waiting: [], waitingReceipts: 0 });
  });

  it('while the server runs, a waiting receipt is applied once its id appears, without a new line in the log', async () => {
    home = await aHome(['sub_a', 'sub_b'], 1);
    const running = await startApplier(home, memoryStore(aStore()), fakeReplies());
    open.push(running);
    await running.log.record(AT, statusPayload('wamid.S1', 'read'));
    await running.applied((b) => b.waiting === 1);
    await appendFile(join(home, 'campaigns', CAMPAIGN, 'journal.jsonl'), sentRecord(1));
    await running.applied();
    expect((await journalLines(home)).at(-1)).toBe(`{"i":1,"s":"read","at":"${AT}"}`);
  });

  it('once the campaign has ended without the id, the receipt is dropped as not ours; one of no campaign is ignored', async () => {
    home = await aHome(['sub_a'], 1);
    const running = await startApplier(home, memoryStore(aStore()), fakeReplies());
    open.push(running);
    await running.log.record(AT, statusPayload('wamid.other', 'delivered'));
    await running.applied((b) => b.waiting === 1);
    await saveCampaign(home, campaignRecord('completed', 1));
    await running.applied();
    expect(await readCursor(home)).toMatchObject({ lines: 1, waiting: [], waitingReceipts: 0 });
    expect(await journalLines(home)).toEqual([sentRecord(0).trim()]);
  });

  it('the waiting set is bounded: beyond maxWaiting the oldest are dropped, and that is said', async () => {
    home = await aHome(['sub_a'], 0);
    const running = await startApplier(home, memoryStore(aStore()), fakeReplies(), { maxWaiting: 2 });
    open.push(running);
    for (const id of ['wamid.1', 'wamid.2', 'wamid.3']) await running.log.record(AT, statusPayload(id, 'delivered'));
    await running.applied((b) => b.cursor.lines === 3);
    expect((await readCursor(home)).waitingReceipts).toBe(2);
    expect(running.warnings.join('\n')).toMatch(/1 receipt\(s\) waited .* the oldest dropped/);
  });
});
