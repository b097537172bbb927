import type { SkipReason } from '../audience.js';
import { isErased } from '../erasure/blank-string.js';
import type { FailureKind } from '../transport.js';

/** One line of a campaign journal: what happened to the recipient at position `i` of the frozen list. */
export type JournalRecord =
  | { readonly i: number; readonly s: 'in-flight' | 'released' }
  | { readonly i: number; readonly s: 'sent'; readonly id: string; readonly at: string }
  | { readonly i: number; readonly s: 'failed'; readonly code: string; readonly kind: FailureKind; readonly reason: string; readonly detail?: string; readonly at: string }
  | { readonly i: number; readonly s: 'skipped'; readonly reason: SkipReason }
  | { readonly i: number; readonly s: 'delivered' | 'read'; readonly at: string };

/**
 * Where each recipient stands, one byte each, so a million-recipient campaign replays in a few megabytes.
 * `unknown` is a request that may or may not have left when the process died.
 */
export const STATE = { pending: 0, unknown: 1, sent: 2, failed: 3, skipped: 4, delivered: 5, read: 6 } as const;
export type RecipientState = (typeof STATE)[keyof typeof STATE];

/** How far along each state is: a status never moves backwards (read stays read, delivered stays delivered). */
const RANK: Readonly<Record<RecipientState, number>> = { 0: 0, 1: 1, 2: 3, 3: 2, 4: 2, 5: 4, 6: 5 };

export interface JournalReplay {
  readonly states: Uint8Array;
  /** Failure code and kind of each failed recipient. */
  readonly failures: Map<number, { readonly code: string; readonly kind: FailureKind; readonly reason: string; readonly detail?: string }>;
  readonly skips: Map<number, SkipReason>;
  readonly providerIds: Map<number, string>;
  /** When each recipient's latest record was written. */
  readonly lastAt: Map<number, string>;
}

export function emptyReplay(size: number): JournalReplay {
  return { states: new Uint8Array(size), failures: new Map(), skips: new Map(), providerIds: new Map(), lastAt: new Map() };
}

/** Applies one journal line. Out-of-range lines are ignored; so are moves backwards. */
export function applyRecord(replay: JournalReplay, record: JournalRecord): void {
  const { i } = record;
  if (!Number.isInteger(i) || i < 0 || i >= replay.states.length) return;
  const current = replay.states[i] as RecipientState;
  if ('at' in record) replay.lastAt.set(i, record.at);
  switch (record.s) {
    case 'in-flight':
      if (current === STATE.pending) replay.states[i] = STATE.unknown;
      return;
    case 'released':
      // the request never left (the send stopped first), or a resume takes the recipient up again
      if (current === STATE.unknown || current === STATE.failed) {
        replay.states[i] = STATE.pending;
        replay.failures.delete(i);
      }
      return;
    case 'sent':
      if (!isErased(record.id)) replay.providerIds.set(i, record.id);
      replay.failures.delete(i);
      if (RANK[current] < RANK[STATE.sent]) replay.states[i] = STATE.sent;
      return;
    case 'failed':
      // a failure reported after a send (a webhook's "failed") replaces "sent", never "delivered" or "read"
      if (current === STATE.delivered || current === STATE.read) return;
      replay.states[i] = STATE.failed;
      replay.failures.set(i, { code: record.code, kind: record.kind, reason: record.reason, ...(record.detail === undefined || isErased(record.detail) ? {} : { detail: record.detail }) });
      return;
    case 'skipped':
      if (current === STATE.pending || current === STATE.unknown) {
        replay.states[i] = STATE.skipped;
        replay.skips.set(i, record.reason);
      }
      return;
    case 'delivered':
    case 'read': {
      const next = record.s === 'read' ? STATE.read : STATE.delivered;
      if (RANK[current] < RANK[next]) replay.states[i] = next;
      replay.failures.delete(i);
      return;
    }
    default: {
      const unreachable: never = record;
      return unreachable;
    }
  }
}

/**
 * Recipient failures that say something final about the person or the number: not on WhatsApp (or blocked the
 * city), stopped the city's messages, outside what Meta allows — a new try would fail again or go against their choice.
 */
const FINAL_CODES: ReadonlySet<string> = new Set([
  'WHATSAPP_UNDELIVERABLE',
  'WHATSAPP_MARKETING_STOPPED',
  'WHATSAPP_RECIPIENT_IS_SENDER',
  'WHATSAPP_EXPERIMENT',
  'WHATSAPP_COUNTRY_RESTRICTED',
  'WHATSAPP_INVALID_VALUE',
]);

/**
 * Failures that may pass on a new try (`--retry-failed`): those that stayed transient through every attempt
 * (server errors, timeouts), account trouble a receipt reported, and recipient failures that are not final (outside the 24-hour window, the per-user
 * marketing limit, a mailbox that refused the message for now).
 */
export function isRetryable(failure: { readonly kind: FailureKind; readonly code: string }): boolean {
  // a `fatal` failure in a journal came from a receipt about the account (payment, a block): once it is fixed, a
  // new try may pass
  return failure.kind === 'transient' || failure.kind === 'fatal' || (failure.kind === 'recipient' && !FINAL_CODES.has(failure.code));
}

/**
 * Who a resumed send must still reach: everyone pending; the unknown only with `resendUnknown`; the failed whose
 * failure may pass only with `retryFailed`. Everyone else has been reached or settled, and is never sent again.
 */
export function remainingAfter(replay: JournalReplay, options: { readonly resendUnknown: boolean; readonly retryFailed: boolean }): number[] {
  const remaining: number[] = [];
  replay.states.forEach((state, i) => {
    if (state === STATE.pending) remaining.push(i);
    else if (state === STATE.unknown && options.resendUnknown) remaining.push(i);
    else if (state === STATE.failed && options.retryFailed) {
      const failure = replay.failures.get(i);
      if (failure !== undefined && isRetryable(failure)) remaining.push(i);
    }
  });
  return remaining;
}
