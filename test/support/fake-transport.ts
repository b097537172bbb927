import type { Sleeper } from '../../src/core/dispatch/rate-window.js';
import type { DeliveryJournal } from '../../src/core/dispatch/deliver.js';
import type { SkipReason } from '../../src/core/audience.js';
import type { Clock } from '../../src/core/ports.js';
import type { Channel } from '../../src/core/subscriber.js';
import type { DeliveryFailure, Envelope, SendResult, Transport } from '../../src/core/transport.js';

/** A transport that answers as a script says, after `latencyMs` of fake time, and remembers every call. */
export class FakeTransport implements Transport {
  readonly name = 'outbox' as const;
  readonly calls: Array<{ readonly key: string; readonly at: number }> = [];
  private inFlight = 0;
  maxInFlight = 0;

  constructor(
    readonly channel: Channel,
    private readonly clock: Clock,
    private readonly sleeper: Sleeper,
    private readonly answer: (envelope: Envelope, call: number, attemptOfKey: number) => SendResult = () => ({ ok: true, providerMessageId: 'id' }),
    private readonly latencyMs = 20,
  ) {}

  async send(envelope: Envelope): Promise<SendResult> {
    const attemptOfKey = this.calls.filter((c) => c.key === envelope.recipientKey).length + 1;
    this.calls.push({ key: envelope.recipientKey, at: this.clock.now().getTime() });
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    await this.sleeper.sleep(this.latencyMs);
    this.inFlight--;
    const result = this.answer(envelope, this.calls.length, attemptOfKey);
    return result.ok ? { ok: true, providerMessageId: `wamid.${envelope.recipientKey}` } : result;
  }
}

export const failure = (kind: DeliveryFailure['kind'], code: string, retryAfterMs?: number): SendResult => ({
  ok: false,
  failure: { kind, code, reason: `${code} happened`, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) },
});

export type JournalRecord =
  | { readonly type: 'in-flight' | 'released'; readonly index: number }
  | { readonly type: 'sent'; readonly index: number; readonly id: string }
  | { readonly type: 'failed' | 'unknown'; readonly index: number; readonly code: string }
  | { readonly type: 'skipped'; readonly index: number; readonly reason: SkipReason };

/** A journal in memory, in the order things were recorded. */
export class MemoryJournal implements DeliveryJournal {
  readonly records: JournalRecord[] = [];
  async inFlight(index: number): Promise<void> {
    this.records.push({ type: 'in-flight', index });
  }
  sent(index: number, id: string): void {
    this.records.push({ type: 'sent', index, id });
  }
  failed(index: number, f: DeliveryFailure): void {
    this.records.push({ type: 'failed', index, code: f.code });
  }
  unknown(index: number, f: DeliveryFailure): void {
    this.records.push({ type: 'unknown', index, code: f.code });
  }
  skipped(index: number, reason: SkipReason): void {
    this.records.push({ type: 'skipped', index, reason });
  }
  released(index: number): void {
    this.records.push({ type: 'released', index });
  }
  async flush(): Promise<void> {}
  of(type: JournalRecord['type']): number[] {
    return this.records.filter((r) => r.type === type).map((r) => r.index);
  }
}
