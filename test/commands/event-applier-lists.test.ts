import { rm } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { readCursor } from '../../src/adapters/webhook/event-cursor.js';
import { aStore, aSubscriber } from '../support/builders.js';
import { aHome, AT, fakeReplies, memoryStore, optOutLines, startApplier, textPayload, type Running } from './applier-harness.js';

/** The applier answering citizens with the topic list and reply buttons (issue 19), on a real event log. */

let home = '';
let running: Running | undefined;

afterEach(async () => {
  await running?.close();
  running = undefined;
  await rm(home, { recursive: true, force: true });
});

const seconds = String(Date.parse(AT) / 1000);
const tapPayload = (from: string, messageId: string, id: string, title: string) => ({
  object: 'whatsapp_business_account',
  entry: [{ id: 'waba', changes: [{ field: 'messages', value: { messages: [{ id: messageId, from, timestamp: seconds, type: 'interactive', interactive: { type: 'list_reply', list_reply: { id, title } } }] } }] }],
});

describe('EventApplier: the topic list', () => {
  it("answers a stranger's first words with the list once a day, subscribes nobody, and a tap subscribes them with the notice version", async () => {
    const data = aStore();
    home = await aHome([], 0);
    const replies = fakeReplies();
    running = await startApplier(home, memoryStore(data), replies, { notice: { version: '2026-03' } });
    await running.log.record(AT, textPayload('393339990000', 'wamid.hi', 'buongiorno'));
    await running.log.record(AT, textPayload('393339990000', 'wamid.hi2', 'ci siete?'));
    await running.applied();
    expect(replies.sent).toHaveLength(1);
    expect(replies.sent[0]).toMatchObject({ channel: 'whatsapp', to: '+393339990000', content: { kind: 'list', body: expect.stringContaining('versione 2026-03') } });
    expect(data.subscribers).toEqual([]);

    await running.log.record(AT, tapPayload('393339990000', 'wamid.tap', 'topic:cantieri', 'Cantieri'));
    await running.applied();
    expect(data.subscribers).toEqual([expect.objectContaining({ phone: '+393339990000', topics: ['cantieri'], consent: expect.objectContaining({ source: 'whatsapp:wamid.tap', notice: '2026-03' }) })]);
    expect(replies.sent[1]).toMatchObject({ content: { kind: 'buttons', buttons: [{ id: 'page:1' }, { id: 'stop' }] } });
    // reply traffic: the answers handed to WhatsApp, by day (the second 'ci siete?' got none)
    expect((await readCursor(home)).replies).toEqual({ [AT.slice(0, 10)]: 2 });
  });

  it('a tap that leaves a topic is an opt-out for running sends; one that joins is not', async () => {
    const maria = aSubscriber({ topics: ['cantieri', 'scuola'] });
    const data = aStore([maria]);
    home = await aHome([], 0);
    running = await startApplier(home, memoryStore(data), fakeReplies());
    const from = (maria.phone ?? '').slice(1);
    await running.log.record(AT, tapPayload(from, 'wamid.t1', 'topic:cantieri', 'Cantieri'));
    await running.log.record(AT, tapPayload(from, 'wamid.t2', 'topic:eventi', 'Eventi'));
    await running.applied();
    expect(data.subscribers[0]).toMatchObject({ topics: ['scuola', 'eventi'] });
    expect(await optOutLines(home)).toEqual([expect.objectContaining({ sub: maria.id, topic: 'cantieri' })]);
  });

  it('a tap Meta delivers again toggles once: the second is the same message, already in the history', async () => {
    const maria = aSubscriber({ topics: ['scuola'] });
    const data = aStore([maria]);
    home = await aHome([], 0);
    const replies = fakeReplies();
    running = await startApplier(home, memoryStore(data), replies);
    const tap = tapPayload((maria.phone ?? '').slice(1), 'wamid.once', 'topic:eventi', 'Eventi');
    await running.log.record(AT, tap);
    await running.applied();
    await running.log.record(AT, tap);
    await running.applied();
    expect(data.subscribers[0]).toMatchObject({ topics: ['scuola', 'eventi'], history: [{ action: 'topic-joined', topic: 'eventi' }] });
    expect(replies.sent).toHaveLength(1);
  });
});
