import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../../../src/core/dispatch/backoff.js';
import { deferDelay } from '../../../src/core/dispatch/backoff.js';
import { deliver, UNCLASSIFIED_STOP, type DeliverEvent, type WorkItem } from '../../../src/core/dispatch/deliver.js';
import { RateWindow } from '../../../src/core/dispatch/rate-window.js';
import type { DeliveryFailure, Envelope, SendResult } from '../../../src/core/transport.js';
import { FakeScheduler } from '../../support/fake-scheduler.js';
import { FakeTransport, MemoryJournal } from '../../support/fake-transport.js';

/** Each failure where it belongs (issue 16 §2–3): one citizen's trouble slows only them; the account's stops at once. */

const ok: SendResult = { ok: true, providerMessageId: '' };
const refused = (failure: Partial<DeliveryFailure> & Pick<DeliveryFailure, 'kind' | 'code'>): SendResult => ({ ok: false, failure: { reason: `${failure.code} happened`, ...failure } });
const PAIR_LIMIT = refused({ kind: 'deferred', code: 'WHATSAPP_PAIR_RATE_LIMIT', providerCode: '131056', retryAfterMs: 6_000 });

function envelope(item: WorkItem): Envelope {
  return { channel: 'whatsapp', to: '+393331234567' as never, recipientKey: String(item.index), content: { kind: 'text', body: 'x' } };
}

function setup(count: number, answer: (e: Envelope, call: number, attempt: number) => SendResult, options: { rate?: number; concurrency?: number; policy?: Partial<RetryPolicy> } = {}) {
  const scheduler = new FakeScheduler();
  const items: WorkItem[] = Array.from({ length: count }, (_, index) => ({ index, channel: 'whatsapp' }));
  const transport = new FakeTransport('whatsapp', scheduler, scheduler, answer);
  const limiter = new RateWindow(options.rate ?? 80, scheduler, scheduler);
  const journal = new MemoryJournal();
  const events: DeliverEvent[] = [];
  const run = () =>
    scheduler.run(
      deliver({
        items,
        envelopeFor: envelope,
        transports: { whatsapp: transport },
        limiters: { whatsapp: limiter },
        concurrency: options.concurrency ?? 10,
        policy: { ...DEFAULT_RETRY_POLICY, ...options.policy },
        journal,
        clock: scheduler,
        sleeper: scheduler,
        random: () => 0.5,
        stop: new AbortController().signal,
        onEvent: (e) => events.push(e),
      }),
    );
  return { scheduler, transport, limiter, journal, events, run };
}

const callsOf = (transport: FakeTransport, key: string) => transport.calls.filter((c) => c.key === key);

describe('a recipient the provider refuses for now (131056 pair rate limit, greylisting)', () => {
  it('waits 6 s, then 4^n s (never under 6 s), for that recipient alone: everyone reached once, the rate never halved, no stop', async () => {
    const t = setup(400, (e, _call, attempt) => (e.recipientKey === '7' && attempt <= 3 ? PAIR_LIMIT : ok), { rate: 80 });
    const started = t.scheduler.ms;
    expect(await t.run()).toEqual({ status: 'completed' });
    expect(new Set(t.journal.of('sent')).size).toBe(400);
    expect(t.journal.of('sent')).toHaveLength(400);
    expect(t.journal.of('failed')).toEqual([]);
    expect(t.limiter.rate).toBe(80);
    expect(t.limiter.throttling.slowdowns).toBe(0);
    expect(t.events.filter((e) => e.type === 'throttled')).toEqual([]);
    const tries = callsOf(t.transport, '7').map((c) => c.at);
    expect(tries).toHaveLength(4);
    // 6 s, 6 s (4 s is under the pair limit), then 16 s after each refusal (the answer takes 20 ms)
    expect(tries[1]! - tries[0]!).toBeGreaterThanOrEqual(6_000);
    expect(tries[2]! - tries[1]!).toBeGreaterThanOrEqual(6_000);
    expect(tries[3]! - tries[2]!).toBeGreaterThanOrEqual(16_000);
    expect(tries[3]! - tries[2]!).toBeLessThan(17_000);
    // the other 399 went on at full rate meanwhile: all of them were sent before recipient 7's second try
    const others = t.transport.calls.filter((c) => c.key !== '7').map((c) => c.at);
    expect(Math.max(...others)).toBeLessThan(tries[1]!);
    expect(Math.max(...others) - started).toBeLessThan(400 / 80 * 1000 * 1.1);
    expect(t.events.filter((e) => e.type === 'deferred').map((e) => (e.type === 'deferred' ? e.inMs : 0))).toEqual([6_000, 6_000, 16_000]);
  });

  it('records the recipient failed (retryable), never stopping the send, when they stay refused past the limit', async () => {
    const t = setup(30, (e) => (e.recipientKey === '2' ? PAIR_LIMIT : ok), { policy: { maxDeferrals: 3 } });
    expect(await t.run()).toEqual({ status: 'completed' });
    expect(t.journal.of('failed')).toEqual([2]);
    expect(t.journal.of('sent')).toHaveLength(29);
    expect(callsOf(t.transport, '2')).toHaveLength(4);
  });

  it('keeps a deferred recipient to be reached when the send stops before their next try', async () => {
    const stopAt = { call: 0 };
    const t = setup(50, (e, call) => {
      if (e.recipientKey === '1') return PAIR_LIMIT;
      if (call > 20) {
        stopAt.call ||= call;
        return refused({ kind: 'fatal', code: 'WHATSAPP_TOKEN_INVALID' });
      }
      return ok;
    });
    expect(await t.run()).toMatchObject({ status: 'stopped' });
    expect(t.journal.of('released')).toContain(1);
    expect(t.journal.of('failed')).toEqual([]);
  });

  it('spaces the tries as deferDelay says, and never waits more than half an hour', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => deferDelay(n, 6_000))).toEqual([6_000, 6_000, 16_000, 64_000, 256_000, 1_024_000]);
    expect(deferDelay(1, 300_000)).toBe(300_000);
    expect(deferDelay(2, 300_000)).toBe(300_000);
    expect(deferDelay(9, 300_000)).toBe(30 * 60_000);
  });
});

describe('a request that may have arrived (no answer after it was written)', () => {
  it('leaves the recipient unknown and never sends them again; the rest go on', async () => {
    const lost = refused({ kind: 'transient', code: 'WHATSAPP_TIMEOUT', mayHaveArrived: true });
    const t = setup(100, (e) => (e.recipientKey === '5' || e.recipientKey === '50' ? lost : ok));
    expect(await t.run()).toEqual({ status: 'completed' });
    expect(t.journal.of('unknown')).toEqual([5, 50]);
    expect(callsOf(t.transport, '5')).toHaveLength(1);
    expect(callsOf(t.transport, '50')).toHaveLength(1);
    expect(t.journal.of('sent')).toHaveLength(98);
    expect(t.journal.of('failed')).toEqual([]);
  });

  it('retries one that was never written, as before', async () => {
    const t = setup(10, (e, _call, attempt) => (e.recipientKey === '3' && attempt === 1 ? refused({ kind: 'transient', code: 'WHATSAPP_TIMEOUT' }) : ok));
    expect(await t.run()).toEqual({ status: 'completed' });
    expect(callsOf(t.transport, '3')).toHaveLength(2);
    expect(t.journal.of('unknown')).toEqual([]);
  });

  it('stops when recipient after recipient gets no answer', async () => {
    const t = setup(200, () => refused({ kind: 'transient', code: 'WHATSAPP_TIMEOUT', mayHaveArrived: true }), { policy: { maxConsecutiveFailures: 10 } });
    expect(await t.run()).toMatchObject({ status: 'stopped', reason: expect.stringContaining('got no answer') });
    expect(t.transport.calls.length).toBeLessThan(30);
  });
});

describe('the account, not the citizen', () => {
  it('stops at once on 131048 (restricted for low quality), the recipient kept to be reached', async () => {
    const spam = refused({ kind: 'fatal', code: 'WHATSAPP_SPAM_RATE_LIMIT', providerCode: '131048', reason: 'the number is restricted for low quality: check the quality rating in WhatsApp Manager, then resume' });
    const t = setup(100, (_e, call) => (call >= 10 ? spam : ok), { concurrency: 4 });
    const outcome = await t.run();
    expect(outcome).toMatchObject({ status: 'stopped', failure: { code: 'WHATSAPP_SPAM_RATE_LIMIT' }, reason: expect.stringContaining('quality rating in WhatsApp Manager') });
    // those in flight when it came finish; nobody is failed, nobody waits 15 minutes
    expect(t.transport.calls.length).toBeLessThan(20);
    expect(t.journal.of('failed')).toEqual([]);
    expect(t.scheduler.ms - Date.parse('2026-11-28T09:00:00.000Z')).toBeLessThan(2_000);
  });

  it(`stops after ${UNCLASSIFIED_STOP} answers in a row to several recipients are the same unknown code, not after hundreds of requests`, async () => {
    const odd = refused({ kind: 'transient', code: 'WHATSAPP_ERROR', providerCode: '999999', unclassified: true });
    const t = setup(300, () => odd, { concurrency: 4 });
    const outcome = await t.run();
    expect(outcome).toMatchObject({ status: 'stopped', reason: expect.stringContaining('error 999999, which canale does not know') });
    expect(t.transport.calls.length).toBeLessThanOrEqual(UNCLASSIFIED_STOP + 4);
    expect(t.journal.of('failed')).toEqual([]);
  });

  it('tells one recipient retried alone from everyone: one sending at a time stops at the second recipient', async () => {
    const odd = refused({ kind: 'transient', code: 'WHATSAPP_ERROR', providerCode: '999999', unclassified: true });
    const t = setup(300, () => odd, { concurrency: 1 });
    expect(await t.run()).toMatchObject({ status: 'stopped' });
    // the first recipient's five attempts, then the second's first answer
    expect(t.transport.calls.length).toBe(DEFAULT_RETRY_POLICY.maxAttempts + 1);
    expect(t.journal.of('failed')).toEqual([0]);
  });

  it('lets one citizen have an odd error: a success between ends the streak', async () => {
    const odd = refused({ kind: 'transient', code: 'WHATSAPP_ERROR', providerCode: '999999', unclassified: true });
    const t = setup(60, (e) => (Number(e.recipientKey) % 2 === 0 ? odd : ok), { concurrency: 1, policy: { maxAttempts: 1 } });
    expect(await t.run()).toEqual({ status: 'completed' });
    expect(t.journal.of('failed')).toHaveLength(30);
  });
});
