import { describe, expect, it } from 'vitest';
import { applyRecord, emptyReplay, MARKETING_LIMIT_MS, resumeSelection, STATE, type JournalRecord } from '../../../src/core/dispatch/journal-state.js';

/** Who a resume sends to (issue 16 §2–3): unknown WhatsApp recipients wait for their receipts; 131049 waits a day. */

const T0 = Date.parse('2026-12-02T10:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

function replayOf(size: number, records: JournalRecord[]) {
  const replay = emptyReplay(size);
  for (const r of records) applyRecord(replay, r);
  return replay;
}

const ask = (now: number, extra: Partial<Parameters<typeof resumeSelection>[1]> = {}) => ({
  resendUnknown: true,
  retryFailed: true,
  now: new Date(now),
  unknownGraceMs: 10 * 60_000,
  isWhatsApp: () => true,
  ...extra,
});

describe('resumeSelection', () => {
  const journal: JournalRecord[] = [
    { i: 0, s: 'in-flight' },
    { i: 0, s: 'sent', id: 'wamid.0', at: iso(T0) },
    { i: 0, s: 'delivered', at: iso(T0 + 1000) },
    { i: 1, s: 'in-flight' },
    { i: 1, s: 'unknown', code: 'WHATSAPP_TIMEOUT', reason: 'no answer', at: iso(T0 + 2000) },
    { i: 2, s: 'in-flight' },
    { i: 2, s: 'unknown', code: 'WHATSAPP_TIMEOUT', reason: 'no answer', at: iso(T0 + 2000) },
    { i: 2, s: 'sent', id: 'wamid.2', at: iso(T0 + 3000), by: 'receipt' },
    { i: 3, s: 'in-flight' },
  ];

  it('holds unknown WhatsApp recipients for the grace after the last request, then sends to those still unknown', () => {
    const replay = replayOf(5, journal);
    expect(replay.states[2]).toBe(STATE.sent);
    expect([...replay.settledByReceipt]).toEqual([2]);
    const early = resumeSelection(replay, ask(T0 + 5 * 60_000));
    expect(early.pending).toEqual([4]);
    expect(early.heldUnknown).toEqual({ count: 2, until: iso(T0 + 2000 + 10 * 60_000) });
    const later = resumeSelection(replay, ask(T0 + 11 * 60_000));
    expect(later.pending).toEqual([1, 3, 4]);
    expect(later.heldUnknown).toBeUndefined();
  });

  it('resends at once, and says so, when no receipt ever reached the campaign (no webhook server hears them)', () => {
    const deaf = replayOf(5, journal.filter((r) => !('by' in r) && r.s !== 'delivered'));
    const selection = resumeSelection(deaf, ask(T0 + 60_000));
    expect(selection.pending).toEqual([1, 2, 3, 4]);
    expect(selection.unknownWithoutReceipts).toBe(3);
  });

  it('never holds e-mail recipients: no receipt can settle them', () => {
    const selection = resumeSelection(replayOf(5, journal), ask(T0 + 60_000, { isWhatsApp: (i) => i !== 3 }));
    expect(selection.pending).toEqual([3, 4]);
    expect(selection.heldUnknown?.count).toBe(1);
  });

  it('leaves unknown recipients alone without --resend-unknown', () => {
    expect(resumeSelection(replayOf(5, journal), ask(T0 + 60 * 60_000, { resendUnknown: false })).pending).toEqual([4]);
  });

  it('retries the per-user marketing limit (131049) only 24 hours after it failed; other retryable failures at once', () => {
    const failedAt = T0;
    const replay = replayOf(3, [
      { i: 0, s: 'failed', code: 'WHATSAPP_MARKETING_LIMIT', kind: 'recipient', reason: 'limit', at: iso(failedAt) },
      { i: 1, s: 'failed', code: 'WHATSAPP_SOMETHING_WENT_WRONG', kind: 'transient', reason: 'x', at: iso(failedAt) },
      { i: 2, s: 'failed', code: 'WHATSAPP_UNDELIVERABLE', kind: 'recipient', reason: 'x', at: iso(failedAt) },
    ]);
    const soon = resumeSelection(replay, ask(failedAt + 23 * 60 * 60_000));
    expect(soon.pending).toEqual([1]);
    expect(soon.heldMarketing).toEqual({ count: 1, until: iso(failedAt + MARKETING_LIMIT_MS) });
    expect(resumeSelection(replay, ask(failedAt + MARKETING_LIMIT_MS)).pending).toEqual([0, 1]);
  });

  it('retries a 131009 of before (recorded against the citizen): it is never final', () => {
    const replay = replayOf(1, [{ i: 0, s: 'failed', code: 'WHATSAPP_INVALID_VALUE', kind: 'recipient', reason: 'x', at: iso(T0) }]);
    expect(resumeSelection(replay, ask(T0)).pending).toEqual([0]);
  });
});
