import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../../../src/core/dispatch/backoff.js';
import { deliver, type DeliverEvent, type DeliverInput, type WorkItem } from '../../../src/core/dispatch/deliver.js';
import { RateWindow } from '../../../src/core/dispatch/rate-window.js';
import type { Channel } from '../../../src/core/subscriber.js';
import type { Envelope, SendResult } from '../../../src/core/transport.js';
import { FakeScheduler } from '../../support/fake-scheduler.js';
import { FakeTransport, MemoryJournal, failure } from '../../support/fake-transport.js';

function envelope(item: WorkItem): Envelope {
  return item.channel === 'whatsapp'
    ? { channel: 'whatsapp', to: '+393331234567' as never, recipientKey: String(item.index), content: { kind: 'text', body: 'x' } }
    : { channel: 'email', to: 'a@example.it' as never, recipientKey: String(item.index), subject: 's', text: 't', html: 'h' };
}

function setup(options: { count?: number; channels?: Channel[]; rate?: number; answer?: (e: Envelope, call: number, attempt: number) => SendResult; policy?: Partial<RetryPolicy>; concurrency?: number } = {}) {
  const scheduler = new FakeScheduler();
  const channels = options.channels ?? ['whatsapp'];
  const items: WorkItem[] = [];
  for (let i = 0; i < (options.count ?? 200); i++) items.push({ index: i, channel: channels[i % channels.length] as Channel });
  const transports = Object.fromEntries(channels.map((c) => [c, new FakeTransport(c, scheduler, scheduler, options.answer)])) as Record<Channel, FakeTransport>;
  const limiters = Object.fromEntries(channels.map((c) => [c, new RateWindow(options.rate ?? 80, scheduler, scheduler)]));
  const journal = new MemoryJournal();
  const events: DeliverEvent[] = [];
  const stop = new AbortController();
  const input: DeliverInput = {
    items,
    envelopeFor: envelope,
    transports,
    limiters,
    concurrency: options.concurrency ?? 10,
    policy: { ...DEFAULT_RETRY_POLICY, ...options.policy },
    journal,
    clock: scheduler,
    sleeper: scheduler,
    random: () => 0.5,
    stop: stop.signal,
    onEvent: (e) => events.push(e),
  };
  return { scheduler, items, transports, limiters, journal, events, stop, input, run: () => scheduler.run(deliver(input)) };
}

/** The most send starts in any one-second window (a window starting at each send). */
function maxPerSecond(times: readonly number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while ((sorted[i] as number) - (sorted[j] as number) >= 1000) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

describe('deliver', () => {
  it('sends everyone once, never more than the rate in any one-second window, at about the rate', async () => {
    const t = setup({ count: 1000, rate: 80, concurrency: 20 });
    expect(await t.run()).toEqual({ status: 'completed' });
    const calls = t.transports.whatsapp.calls;
    expect(new Set(calls.map((c) => c.key)).size).toBe(1000);
    expect(calls).toHaveLength(1000);
    expect(maxPerSecond(calls.map((c) => c.at))).toBeLessThanOrEqual(80);
    const seconds = ((calls.at(-1)?.at ?? 0) - (calls[0]?.at ?? 0)) / 1000;
    expect(1000 / seconds).toBeGreaterThan(78);
    expect(t.transports.whatsapp.maxInFlight).toBeLessThanOrEqual(20);
  });

  it('records every recipient in flight before its request, and its outcome after', async () => {
    const t = setup({ count: 50 });
    await t.run();
    for (let i = 0; i < 50; i++) {
      const inFlight = t.journal.records.findIndex((r) => r.index === i && r.type === 'in-flight');
      const sent = t.journal.records.findIndex((r) => r.index === i && r.type === 'sent');
      expect(inFlight).toBeGreaterThanOrEqual(0);
      expect(sent).toBeGreaterThan(inFlight);
    }
  });

  it('writes the next recipient\'s in-flight record while the current request is out, so the disk is not waited for', async () => {
    const t = setup({ count: 5, concurrency: 1 });
    await t.run();
    const order = t.journal.records.map((r) => `${r.type}:${r.index}`);
    for (let i = 0; i < 4; i++) expect(order.indexOf(`in-flight:${i + 1}`)).toBeLessThan(order.indexOf(`sent:${i}`));
    expect(t.journal.of('released')).toEqual([]);
  });

  it('runs the channels side by side, each at its own rate', async () => {
    const t = setup({ count: 400, channels: ['whatsapp', 'email'], rate: 50 });
    await t.run();
    expect(t.transports.whatsapp.calls).toHaveLength(200);
    expect(t.transports.email.calls).toHaveLength(200);
    expect(t.scheduler.ms - Date.parse('2026-11-28T09:00:00.000Z')).toBeLessThan(4_500);
  });

  it('slows down on throttling and retries the same recipient, never failing them', async () => {
    const t = setup({ count: 500, rate: 80, answer: (_e, call, attempt) => (attempt === 1 && call % 10 === 0 ? failure('rate-limit', 'WHATSAPP_THROUGHPUT') : { ok: true, providerMessageId: '' }) });
    expect(await t.run()).toEqual({ status: 'completed' });
    expect(t.journal.of('sent')).toHaveLength(500);
    expect(t.journal.of('failed')).toEqual([]);
    expect(t.events.filter((e) => e.type === 'throttled').length).toBeGreaterThan(30);
    expect(maxPerSecond(t.transports.whatsapp.calls.map((c) => c.at))).toBeLessThanOrEqual(80);
    expect(t.limiters.whatsapp?.rate).toBeLessThan(80);
  });

  it('reports the rate each throttling leaves, and each step the rate grows back, for the progress to show', async () => {
    // the provider throttles the first two seconds, then accepts everything
    let until = 0;
    const t = setup({
      count: 1200,
      rate: 80,
      answer: (_e, call) => {
        until ||= t.scheduler.ms + 2_000;
        return call > 0 && t.scheduler.ms < until && call % 5 === 0 ? failure('rate-limit', 'WHATSAPP_THROUGHPUT') : { ok: true, providerMessageId: '' };
      },
    });
    expect(await t.run()).toEqual({ status: 'completed' });
    const rates = t.events.flatMap((e) => (e.type === 'throttled' || e.type === 'rate' ? [[e.type, e.rate] as const] : []));
    const throttled = rates.filter(([type]) => type === 'throttled').map(([, rate]) => rate);
    // halved at most once a second, never below a tenth: 40, then 20 …
    expect(throttled[0]).toBe(40);
    expect(Math.min(...throttled)).toBeGreaterThanOrEqual(8);
    const grown = rates.filter(([type]) => type === 'rate').map(([, rate]) => rate);
    expect(grown.length).toBeGreaterThan(0);
    expect(grown).toEqual([...grown].sort((a, b) => a - b));
    expect(grown.at(-1)).toBeLessThanOrEqual(80);
    expect(t.journal.of('failed')).toEqual([]);
  });

  it('backs off a throttled recipient, and pauses the send, resumable, when the provider never relents', async () => {
    const t = setup({ count: 10, concurrency: 1, policy: { maxThrottles: 4, baseDelayMs: 1000 }, answer: (e) => (e.recipientKey === '3' ? failure('rate-limit', 'SMTP_THROTTLED') : { ok: true, providerMessageId: '' }) });
    const started = t.scheduler.ms;
    const outcome = await t.run();
    expect(outcome).toMatchObject({ status: 'stopped', reason: expect.stringContaining('the provider kept throttling (SMTP_THROTTLED, 4 times for one recipient)') });
    expect(t.journal.of('sent')).toEqual([0, 1, 2]);
    // 3 was throttled; 4 and 5 were made ready (in-flight records written) while 3 was out, and are released unsent
    expect(t.journal.of('released')).toEqual([3, 4, 5]);
    expect(t.journal.of('failed')).toEqual([]);
    // three backoffs before the fourth answer: 750 + 1,500 + 3,000 ms with the jitter at its middle
    expect(t.scheduler.ms - started).toBeGreaterThanOrEqual(5250);
  });

  it('retries transient failures with backoff, then records the failure', async () => {
    const t = setup({
      count: 3,
      concurrency: 1,
      policy: { maxAttempts: 3, baseDelayMs: 1000 },
      answer: (e, _call, attempt) => (e.recipientKey === '1' || attempt < 3 ? failure('transient', 'HTTP_503') : { ok: true, providerMessageId: '' }),
    });
    const started = t.scheduler.ms;
    expect(await t.run()).toEqual({ status: 'completed' });
    expect(t.journal.of('sent')).toEqual([0, 2]);
    expect(t.journal.records).toContainEqual({ type: 'failed', index: 1, code: 'HTTP_503' });
    expect(t.transports.whatsapp.calls).toHaveLength(9);
    // two backoffs per recipient: 750 ms + 1,500 ms with the jitter at its middle
    expect(t.scheduler.ms - started).toBeGreaterThanOrEqual(3 * 2250);
  });

  it('records a recipient failure and goes on', async () => {
    const t = setup({ count: 20, answer: (e) => (e.recipientKey === '7' ? failure('recipient', 'WHATSAPP_NOT_ON_WHATSAPP') : { ok: true, providerMessageId: '' }) });
    expect(await t.run()).toEqual({ status: 'completed' });
    expect(t.journal.of('failed')).toEqual([7]);
    expect(t.journal.of('sent')).toHaveLength(19);
  });

  it('stops everything at a fatal failure, resumable: the recipient is released, not failed', async () => {
    const t = setup({ count: 100, concurrency: 1, answer: (e) => (e.recipientKey === '30' ? failure('fatal', 'WHATSAPP_TOKEN_INVALID') : { ok: true, providerMessageId: '' }) });
    const outcome = await t.run();
    expect(outcome).toMatchObject({ status: 'stopped', reason: 'WHATSAPP_TOKEN_INVALID happened', failure: { code: 'WHATSAPP_TOKEN_INVALID' } });
    expect(t.journal.of('sent')).toHaveLength(30);
    expect(t.journal.of('released')).toEqual([30, 31, 32]);
    expect(t.journal.of('failed')).toEqual([]);
    expect(t.transports.whatsapp.calls).toHaveLength(31);
  });

  it('pauses itself after too many failures in a row', async () => {
    const t = setup({ count: 100, concurrency: 1, policy: { maxConsecutiveFailures: 5 }, answer: (e) => (Number(e.recipientKey) >= 10 ? failure('recipient', 'X') : { ok: true, providerMessageId: '' }) });
    const outcome = await t.run();
    expect(outcome).toMatchObject({ status: 'stopped', reason: expect.stringMatching(/^5 recipients in a row failed \(last: X: X happened\)/) });
    expect(t.journal.of('failed')).toEqual([10, 11, 12, 13, 14]);
  });

  it('on stop, starts nothing new, lets in-flight sends finish and records them', async () => {
    const t = setup({ count: 1000, concurrency: 10 });
    let sent = 0;
    const input: DeliverInput = { ...t.input, onEvent: (e) => (e.type === 'sent' && ++sent === 100 ? t.stop.abort() : undefined) };
    const outcome = await t.scheduler.run(deliver(input));
    expect(outcome).toEqual({ status: 'interrupted' });
    const calls = t.transports.whatsapp.calls.length;
    expect(calls).toBeLessThan(120);
    const recorded = new Set([...t.journal.of('sent'), ...t.journal.of('released')]);
    for (const inFlight of t.journal.of('in-flight')) expect(recorded.has(inFlight)).toBe(true);
    expect(t.journal.of('sent')).toHaveLength(calls);
  });

  it('stops, resumable and with the reason, when the provider reports account trouble for requests it had accepted', async () => {
    const t = setup({ count: 1000, concurrency: 10 });
    const trouble = new AbortController();
    let sent = 0;
    const payment = { kind: 'fatal', code: 'WHATSAPP_PAYMENT', reason: 'a business eligibility or payment-method problem — check billing in WhatsApp Manager' } as const;
    const input: DeliverInput = { ...t.input, accountTrouble: trouble.signal, onEvent: (e) => (e.type === 'sent' && ++sent === 50 ? trouble.abort(payment) : undefined) };
    const outcome = await t.scheduler.run(deliver(input));
    expect(outcome).toEqual({ status: 'stopped', reason: 'the provider reported trouble with the account for messages it had accepted: a business eligibility or payment-method problem — check billing in WhatsApp Manager', failure: payment });
    expect(t.transports.whatsapp.calls.length).toBeLessThan(70);
    // nobody is failed for it: who was not sent stays to be reached
    expect(t.journal.of('failed')).toEqual([]);
    const recorded = new Set([...t.journal.of('sent'), ...t.journal.of('released')]);
    for (const inFlight of t.journal.of('in-flight')) expect(recorded.has(inFlight)).toBe(true);
  });

  it('pauses a channel at its pause instant (quiet hours): nobody new on it, the other channel finishes', async () => {
    const t = setup({ count: 1000, channels: ['whatsapp', 'email'], rate: 50, concurrency: 5 });
    const start = t.scheduler.now().getTime();
    const input: DeliverInput = { ...t.input, pauseAt: { whatsapp: start + 3_000 } };
    const outcome = await t.scheduler.run(deliver(input));
    expect(outcome).toEqual({ status: 'paused', channels: ['whatsapp'] });
    const whatsapp = t.transports.whatsapp.calls;
    expect(whatsapp.length).toBeGreaterThan(100);
    expect(whatsapp.length).toBeLessThan(500);
    for (const call of whatsapp) expect(call.at).toBeLessThan(start + 3_000);
    expect(t.transports.email.calls).toHaveLength(500);
    // every in-flight record ends as sent or released: a resume reaches exactly the rest
    const recorded = new Set([...t.journal.of('sent'), ...t.journal.of('released')]);
    for (const inFlight of t.journal.of('in-flight')) expect(recorded.has(inFlight)).toBe(true);
    expect(t.journal.of('sent')).toHaveLength(whatsapp.length + 500);
  });

  it('a pause instant already past sends nothing on that channel', async () => {
    const t = setup({ count: 10 });
    const input: DeliverInput = { ...t.input, pauseAt: { whatsapp: t.scheduler.now().getTime() } };
    expect(await t.scheduler.run(deliver(input))).toEqual({ status: 'paused', channels: ['whatsapp'] });
    expect(t.transports.whatsapp.calls).toHaveLength(0);
    expect(t.journal.of('in-flight')).toHaveLength(0);
  });

  it('skips recipients who cannot be sent any more, without a request', async () => {
    const t = setup({ count: 10 });
    const input: DeliverInput = { ...t.input, envelopeFor: (item) => (item.index === 3 ? { skip: 'opted-out' } : envelope(item)) };
    await t.scheduler.run(deliver(input));
    expect(t.journal.records).toContainEqual({ type: 'skipped', index: 3, reason: 'opted-out' });
    expect(t.transports.whatsapp.calls.map((c) => c.key)).not.toContain('3');
  });

  it('asks again right before each request whether the recipient was withdrawn, since they were prepared ahead of their turn', async () => {
    const t = setup({ count: 10, rate: 1, concurrency: 10 });
    let preparedBeforeFirstSend = false;
    const input: DeliverInput = {
      ...t.input,
      envelopeFor: (item) => {
        if (item.index === 7 && t.transports.whatsapp.calls.length === 0) preparedBeforeFirstSend = true;
        return envelope(item);
      },
      // opted out once the send is under way (the opt-out feed)
      withdrawn: (item) => (item.index === 7 && t.transports.whatsapp.calls.length > 0 ? 'opted-out-during-send' : undefined),
    };
    expect(await t.scheduler.run(deliver(input))).toEqual({ status: 'completed' });
    expect(preparedBeforeFirstSend).toBe(true);
    expect(t.transports.whatsapp.calls.map((c) => c.key)).not.toContain('7');
    expect(t.transports.whatsapp.calls).toHaveLength(9);
    expect(t.journal.records).toContainEqual({ type: 'skipped', index: 7, reason: 'opted-out-during-send' });
  });
});
