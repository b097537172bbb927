import { rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sendingOf } from '../../src/commands/sending-of.js';
import type { SubscriberStore } from '../../src/core/ports.js';
import { prepareSend, type SendRequest } from '../../src/sending/prepare.js';
import type { SubscriberId } from '../../src/core/subscriber.js';
import type { TopicId } from '../../src/core/topic.js';
import { aSubscriber } from '../support/builders.js';
import { contextFor, newHome, storeOf } from '../support/home.js';

let home: string;
beforeEach(async () => {
  home = await newHome();
});
afterEach(async () => {
  await rm(dirname(home), { recursive: true, force: true });
});

function request(body: string, topics: string[]): SendRequest {
  return {
    spec: { source: 'avviso.md', topics, channels: ['email'], subject: 'Avviso', body },
    topics: [],
    where: [],
    channel: 'preferred',
    urgent: true,
    split: false,
    allowFreeText: false,
  };
}

const id = (text: string) => text as SubscriberId;
const topic = (text: string) => text as TopicId;

describe('prepareSend', () => {
  it('keeps only the people of the message’s topics, but checks placeholders against every subscriber', async () => {
    const { ctx } = contextFor(home, { yes: true });
    const store = storeOf(ctx);
    await store.update((data) => {
      data.subscribers.push(
        aSubscriber({ id: id('sub_a'), topics: ['cantieri'], channel: 'email', attributes: {} }),
        aSubscriber({ id: id('sub_b'), topics: ['scuola'], optedOutTopics: [topic('cantieri')], channel: 'email', attributes: {} }),
        aSubscriber({ id: id('sub_c'), topics: ['eventi'], channel: 'email', attributes: { quartiere: 'Prati' } }),
      );
    });
    const sending = await sendingOf(ctx);
    const prepared = await prepareSend(request('Ciao {{nome}}, {{quartiere}}: lavori in corso.', ['cantieri']), sending);
    expect(prepared.subscribers.map((s) => s.id)).toEqual(['sub_a', 'sub_b']);
    expect(prepared.plan.recipients.total).toBe(1);
    expect(prepared.plan.skipped).toEqual([{ reason: 'opted-out-of-topic', count: 1 }]);
    // `quartiere` is known from sub_c, who is not in the audience: the message compiles, and sub_a lacks the value
    expect(prepared.plan.blocked).toEqual([expect.objectContaining({ count: 1, examples: [expect.stringContaining('sub_a')] })]);
    await expect(prepareSend(request('Ciao {{municipio}}', ['cantieri']), sending)).rejects.toThrow(/unknown placeholder \{\{municipio\}\}/);
  });

  it('plans on the whole store when a topic appears between reading the catalogue and the subscribers', async () => {
    const { ctx } = contextFor(home, { yes: true });
    const real = storeOf(ctx);
    await real.update((data) => {
      data.topics.push({ id: topic('verde'), label: 'Verde pubblico' });
      data.subscribers.push(aSubscriber({ id: id('sub_v'), topics: ['verde'], channel: 'email', attributes: {} }));
    });
    const before = (await real.topics()).filter((t) => t.id !== 'verde');
    const sending = await sendingOf(ctx);
    const store = sending.ports.subscribers;
    // the first look at the catalogue is from before the topic was added; every later one sees it
    let looks = 0;
    const racing: SubscriberStore = {
      find: (key) => store.find(key),
      scan: (filter, visitor) => store.scan(filter, visitor),
      survey: (filter, visitor) => store.survey(filter, visitor),
      count: (filter) => store.count(filter),
      topics: async () => (looks++ === 0 ? before : store.topics()),
      templates: () => store.templates(),
      transaction: (hints, work) => store.transaction(hints, work),
    };
    const prepared = await prepareSend(request('Potature nei parchi.', ['verde']), { ...sending, ports: { ...sending.ports, subscribers: racing } });
    expect(prepared.plan.recipients.total).toBe(1);
    expect(prepared.subscribers.map((s) => s.id)).toContain('sub_v');
  });
});
