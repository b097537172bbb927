import { rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { prepareSend, type SendRequest } from '../../src/commands/send/prepare.js';
import type { Store } from '../../src/core/ports.js';
import type { SubscriberId } from '../../src/core/subscriber.js';
import type { TopicId } from '../../src/core/topic.js';
import { aSubscriber } from '../support/builders.js';
import { contextFor, newHome } from '../support/home.js';

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
    const store = await ctx.store();
    await store.update((data) => {
      data.subscribers.push(
        aSubscriber({ id: id('sub_a'), topics: ['cantieri'], channel: 'email', attributes: {} }),
        aSubscriber({ id: id('sub_b'), topics: ['scuola'], optedOutTopics: [topic('cantieri')], channel: 'email', attributes: {} }),
        aSubscriber({ id: id('sub_c'), topics: ['eventi'], channel: 'email', attributes: { quartiere: 'Prati' } }),
      );
    });
    const prepared = await prepareSend(request('Ciao {{nome}}, {{quartiere}}: lavori in corso.', ['cantieri']), ctx);
    expect(prepared.subscribers.map((s) => s.id)).toEqual(['sub_a', 'sub_b']);
    expect(prepared.plan.recipients.total).toBe(1);
    expect(prepared.plan.skipped).toEqual([{ reason: 'opted-out-of-topic', count: 1 }]);
    // `quartiere` is known from sub_c, who is not in the audience: the message compiles, and sub_a lacks the value
    expect(prepared.plan.blocked).toEqual([expect.objectContaining({ count: 1, examples: [expect.stringContaining('sub_a')] })]);
    await expect(prepareSend(request('Ciao {{municipio}}', ['cantieri']), ctx)).rejects.toThrow(/unknown placeholder \{\{municipio\}\}/);
  });

  it('plans on the whole store when a topic appears between reading the catalogue and the subscribers', async () => {
    const { ctx } = contextFor(home, { yes: true });
    const real = await ctx.store();
    await real.update((data) => {
      data.topics.push({ id: topic('verde'), label: 'Verde pubblico' });
      data.subscribers.push(aSubscriber({ id: id('sub_v'), topics: ['verde'], channel: 'email', attributes: {} }));
    });
    const before = (await real.topics()).filter((t) => t.id !== 'verde');
    const racing: Store = { read: () => real.read(), update: (change) => real.update(change), topics: async () => before, scan: (begin) => real.scan(begin), change: (hints, change) => real.change(hints, change) };
    ctx.store = async () => racing;
    const prepared = await prepareSend(request('Potature nei parchi.', ['verde']), ctx);
    expect(prepared.plan.recipients.total).toBe(1);
    expect(prepared.subscribers.map((s) => s.id)).toContain('sub_v');
  });
});
