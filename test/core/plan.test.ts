import { describe, expect, it } from 'vitest';
import { compileMessage } from '../../src/core/message/compile.js';
import { planSend, planWarnings, type PlanInput } from '../../src/core/plan.js';
import { DEFAULT_TOPICS, type TopicId } from '../../src/core/topic.js';
import { aSubscriber } from '../support/builders.js';

const compiled = compileMessage(
  { source: 'm.md', topics: ['cantieri'], subject: 'Lavori', body: 'Ciao {{nome}}, municipio {{municipio | "del centro"}}.' },
  { topics: DEFAULT_TOPICS, knownFields: new Set(['name', 'phone', 'email', 'municipio']), templates: [] },
);
if (!compiled.ok) throw new Error('fixture');

function input(overrides: Partial<PlanInput> = {}): PlanInput {
  return {
    message: compiled.ok ? compiled.message : (undefined as never),
    subscribers: [
      aSubscriber({ id: 'a' as never, name: 'Anna' }),
      aSubscriber({ id: 'b' as never, name: undefined, channel: 'email' }),
      aSubscriber({ id: 'c' as never, name: undefined }),
      aSubscriber({ id: 'd' as never, name: 'Dario', status: 'unsubscribed' }),
    ],
    query: { topics: ['cantieri'] as TopicId[], where: [], channel: 'preferred', messageChannels: ['whatsapp', 'email'] },
    rates: { whatsapp: 80, email: 1 },
    prices: { currency: 'EUR', whatsappTemplate: () => 0.03, whatsappText: 0, email: 0.001 },
    ...overrides,
  };
}

describe('planSend', () => {
  it('counts recipients, skips, and recipients a placeholder cannot be filled for', () => {
    const plan = planSend(input());
    expect(plan.recipients).toEqual({ whatsapp: 2, email: 1, total: 3 });
    expect(plan.skipped).toEqual([{ reason: 'opted-out', count: 1 }]);
    expect(plan.blocked).toEqual([
      { channel: 'email', problem: 'no value for {{name}} and no default', count: 1, examples: ['b'] },
      { channel: 'whatsapp', problem: 'no value for {{name}} and no default', count: 1, examples: ['c'] },
    ]);
    expect(plan.sample).toEqual({ subscriberId: 'a', channel: 'whatsapp' });
  });

  it('estimates the duration from the slowest channel and the cost from the prices', () => {
    const plan = planSend(input());
    expect(plan.estimatedSeconds).toBe(1);
    expect(plan.cost).toEqual({ currency: 'EUR', total: 0.001, byChannel: { whatsapp: 0, email: 0.001 } });
    const many = planSend(input({ subscribers: Array.from({ length: 200 }, () => aSubscriber({ name: 'X' })) }));
    expect(many.estimatedSeconds).toBe(3);
  });

  it('warns about free text, the daily tier, missing unsubscribe links and blocked recipients', () => {
    const message = compiled.ok ? compiled.message : (undefined as never);
    const plan = planSend(input());
    const warnings = planWarnings(plan, message, { hasUnsubscribeLinks: false, whatsappQuota: { limit: 1, used: 0, remaining: 1 }, whatsappTransport: 'cloud-api' });
    expect(warnings).toEqual([
      expect.stringMatching(/^free text on WhatsApp reaches only citizens who wrote .* — send refuses it through the Cloud API without --allow-free-text$/),
      "2 WhatsApp recipients is more than the account's tier of 1 unique recipients in 24 hours: WhatsApp will not deliver to the rest until the 24-hour window frees up — add --split to send the rest then",
      'e-mails carry no unsubscribe link: set publicUrl and unsubscribeSecret (canale config set …)',
      expect.stringMatching(/^1 email recipient\(s\) cannot get this message: no value for \{\{name\}\} and no default — e\.g\. b; this blocks the send$/),
      expect.stringMatching(/^1 whatsapp recipient\(s\) cannot get this message/),
    ]);
    const used = planWarnings(plan, message, { hasUnsubscribeLinks: true, whatsappQuota: { limit: 10, used: 9, remaining: 1 }, split: true });
    expect(used).toContain(
      "2 WhatsApp recipients is more than the account's tier of 10 unique recipients in 24 hours (9 used in the last 24 hours, 1 left): --split sends what the tier allows now and the rest when it frees up (the first canale schedule run from then)",
    );
    expect(planWarnings(plan, message, { hasUnsubscribeLinks: true, whatsappQuota: { limit: 2, used: 0, remaining: 2 }, whatsappTransport: 'outbox' })).toHaveLength(3);
  });

  it('counts the followers a one-channel message misses because they prefer the other channel, and who --channel all reaches', () => {
    const emailOnly = compileMessage(
      { source: 'm.md', topics: ['cantieri'], channels: ['email'], subject: 'Lavori', body: 'Ciao.' },
      { topics: DEFAULT_TOPICS, knownFields: new Set(['name', 'phone', 'email']), templates: [] },
    );
    if (!emailOnly.ok) throw new Error('fixture');
    const subscribers = [
      aSubscriber({ id: 'wa-mail' as never, email: 'a@example.it' as never, channel: 'whatsapp' }),
      aSubscriber({ id: 'wa-only' as never, email: undefined, channel: 'whatsapp' }),
      aSubscriber({ id: 'mail' as never, email: 'b@example.it' as never, channel: 'email' }),
    ];
    const query = (channel: 'preferred' | 'all') => ({ topics: ['cantieri'] as TopicId[], where: [], channel, messageChannels: ['email'] as const });
    const plan = planSend(input({ message: emailOnly.message, subscribers, query: query('preferred') }));
    expect(plan.recipients).toEqual({ whatsapp: 0, email: 1, total: 1 });
    expect(plan.missed).toEqual({ preferred: 'whatsapp', count: 2, reachable: 1 });
    expect(planWarnings(plan, emailOnly.message, { hasUnsubscribeLinks: true })).toEqual([
      '2 follower(s) of these topics prefer WhatsApp, which this message does not use (channels: [email]), and will not get it — 1 of them can get it by e-mail: send with --channel all to reach them (1 have no address for e-mail)',
    ]);
    const all = planSend(input({ message: emailOnly.message, subscribers, query: query('all') }));
    expect(all.audience.deliveries).toEqual([
      { subscriberId: 'wa-mail', channel: 'email' },
      { subscriberId: 'mail', channel: 'email' },
    ]);
    // the one --channel all cannot reach is still counted, not left out unseen
    expect(all.missed).toEqual({ preferred: 'whatsapp', count: 1, reachable: 0 });
    expect(planSend(input()).missed).toBeUndefined();
  });
});
