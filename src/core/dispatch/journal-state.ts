import type { SkipReason } from '../audience.js';
import { isErased } from '../erasure/blank-string.js';
import type { FailureKind } from '../transport.js';

/** One line of a campaign journal: what happened to the recipient at position `i` of the frozen list. */
export type JournalRecord =
  | { readonly i: number; readonly s: 'in-flight' | 'released' }
  /** `by: 'receipt'`: written by the webhook server, from a status webhook for a recipient whose answer was lost. */
  | { readonly i: number; readonly s: 'sent'; readonly id: string; readonly at: string; readonly by?: 'receipt' }
  /** The request was written and no answer came: the provider may have accepted it (DESIGN §7.2). */
  | { readonly i: number; readonly s: 'unknown'; readonly code: string; readonly reason: string; readonly at: string }
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
  /** Recipients whose request went unanswered (timeout, reset after it was written), and why. */
  readonly unanswered: Map<number, { readonly code: string; readonly reason: string }>;
  /**
   * Recipients a receipt settled (`by: 'receipt'`) whose send never recorded an answer: their answer was lost, or
   * the send died with their request out. (A receipt that only beat the answer to the journal is not counted.)
   */
  readonly settledByReceipt: Set<number>;
  /** The latest `at` of a request's outcome the send wrote (`sent`, `unknown`): receipts for it come after. */
  lastSendAt?: string;
}

export function emptyReplay(size: number): JournalReplay {
  return { states: new Uint8Array(size), failures: new Map(), skips: new Map(), providerIds: new Map(), lastAt: new Map(), unanswered: new Map(), settledByReceipt: new Set() };
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
      replay.unanswered.delete(i);
      if (record.by === 'receipt') {
        if (current === STATE.unknown || current === STATE.pending) replay.settledByReceipt.add(i);
      } else {
        replay.settledByReceipt.delete(i);
        noteSendAt(replay, record.at);
      }
      if (RANK[current] < RANK[STATE.sent]) replay.states[i] = STATE.sent;
      return;
    case 'unknown':
      noteSendAt(replay, record.at);
      if (current === STATE.pending || current === STATE.unknown) {
        replay.states[i] = STATE.unknown;
        replay.unanswered.set(i, { code: record.code, reason: record.reason });
      }
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

function noteSendAt(replay: JournalReplay, at: string): void {
  if (replay.lastSendAt === undefined || at > replay.lastSendAt) replay.lastSendAt = at;
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

/** How long WhatsApp's per-user marketing limit (131049) asks a recipient be left alone. */
export const MARKETING_LIMIT_MS = 24 * 60 * 60 * 1000;

export interface ResumeAsk {
  readonly resendUnknown: boolean;
  readonly retryFailed: boolean;
  readonly now: Date;
  /** How long an unknown WhatsApp recipient waits for a receipt to settle them (`send.unknownGraceMinutes`). */
  readonly unknownGraceMs: number;
  /** Whether position i is a WhatsApp recipient: only WhatsApp has receipts that settle an unknown outcome. */
  readonly isWhatsApp: (i: number) => boolean;
  /** When the send's requests last went out, when its journal does not say (a send killed before any answer). */
  readonly sentSince?: string;
}

/** Recipients a resume leaves for later, and from when they may be tried. */
export interface Held {
  readonly count: number;
  readonly until: string;
}

export interface ResumeSelection {
  readonly pending: number[];
  /** Unknown WhatsApp recipients within the grace: a receipt may still settle them. */
  readonly heldUnknown?: Held;
  /** Recipients failed with the per-user marketing limit less than 24 hours ago. */
  readonly heldMarketing?: Held;
  /** Unknown WhatsApp recipients resent although no receipt ever reached the campaign (no webhook server hears them). */
  readonly unknownWithoutReceipts: number;
}

/**
 * Who a resume sends to (DESIGN §7.2): everyone pending; with `--resend-unknown`, those of unknown outcome — but a
 * WhatsApp one only after the grace (a receipt may still say Meta accepted them), when receipts reach this
 * campaign at all; with `--retry-failed`, those whose failure may pass, a per-user marketing limit only 24 hours
 * after it.
 */
export function resumeSelection(replay: JournalReplay, ask: ResumeAsk): ResumeSelection {
  const hearsReceipts = replay.settledByReceipt.size > 0 || replay.states.some((s) => s === STATE.delivered || s === STATE.read);
  const sentAt = replay.lastSendAt ?? ask.sentSince;
  const graceEnds = sentAt === undefined ? 0 : Date.parse(sentAt) + ask.unknownGraceMs;
  const now = ask.now.getTime();
  const pending: number[] = [];
  let heldUnknown = 0;
  let unknownWithoutReceipts = 0;
  let heldMarketing = 0;
  let marketingFrees = 0;
  replay.states.forEach((state, i) => {
    if (state === STATE.pending) pending.push(i);
    else if (state === STATE.unknown && ask.resendUnknown) {
      if (!ask.isWhatsApp(i)) pending.push(i);
      else if (!hearsReceipts) {
        unknownWithoutReceipts++;
        pending.push(i);
      } else if (now < graceEnds) heldUnknown++;
      else pending.push(i);
    } else if (state === STATE.failed && ask.retryFailed) {
      const failure = replay.failures.get(i);
      if (failure === undefined || !isRetryable(failure)) return;
      const frees = failure.code === 'WHATSAPP_MARKETING_LIMIT' ? Date.parse(replay.lastAt.get(i) ?? '') + MARKETING_LIMIT_MS : 0;
      if (now < frees) {
        heldMarketing++;
        marketingFrees = Math.max(marketingFrees, frees);
      } else pending.push(i);
    }
  });
  return {
    pending,
    ...(heldUnknown === 0 ? {} : { heldUnknown: { count: heldUnknown, until: new Date(graceEnds).toISOString() } }),
    ...(heldMarketing === 0 ? {} : { heldMarketing: { count: heldMarketing, until: new Date(marketingFrees).toISOString() } }),
    unknownWithoutReceipts,
  };
}

/**
 * Who a resumed send must still reach, with no grace and no time limits: everyone pending; the unknown only with
 * `resendUnknown`; the failed whose failure may pass only with `retryFailed`. Everyone else has been reached or
 * settled, and is never sent again.
 */
export function remainingAfter(replay: JournalReplay, options: { readonly resendUnknown: boolean; readonly retryFailed: boolean }): number[] {
  return resumeSelection(replay, { ...options, now: new Date(8.64e15), unknownGraceMs: 0, isWhatsApp: () => false }).pending;
}
