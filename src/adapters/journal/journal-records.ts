import type { SkipReason } from '../../core/audience.js';
import type { JournalRecord } from '../../core/dispatch/journal-state.js';
import type { Clock } from '../../core/ports.js';
import type { DeliveryFailure } from '../../core/transport.js';

/**
 * The records a send writes once a recipient's request is settled, the same JSON lines whatever keeps the journal
 * (the home's file, memory): a journal gives `push`, which keeps one, and its own `inFlight`.
 */
export abstract class OutcomeRecords {
  protected constructor(private readonly clock: Clock) {}

  sent(index: number, providerMessageId: string): void {
    this.push({ i: index, s: 'sent', id: providerMessageId, at: this.at() });
  }

  failed(index: number, failure: DeliveryFailure): void {
    this.push({ i: index, s: 'failed', code: failure.code, kind: failure.kind, reason: failure.reason, ...(failure.detail === undefined ? {} : { detail: failure.detail }), at: this.at() });
  }

  unknown(index: number, failure: DeliveryFailure): void {
    this.push({ i: index, s: 'unknown', code: failure.code, reason: failure.reason, at: this.at() });
  }

  skipped(index: number, reason: SkipReason): void {
    this.push({ i: index, s: 'skipped', reason });
  }

  released(index: number): void {
    this.push({ i: index, s: 'released' });
  }

  protected abstract push(record: JournalRecord): void;

  private at(): string {
    return this.clock.now().toISOString();
  }
}
