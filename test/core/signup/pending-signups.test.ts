import { describe, expect, it } from 'vitest';
import type { Email } from '../../../src/core/email.js';
import type { E164 } from '../../../src/core/phone.js';
import {
  addPending, claimToken, EMPTY_SIGNUPS, erasePending, pendingByCode, pendingById, removeConfirmed, withoutExpired, type SignupBook,
} from '../../../src/core/signup/pending-signups.js';
import { aSignup } from '../../ports/signup-store.contract.js';

const NOW = '2026-12-03T10:00:00.000Z';
const LATER = '2026-12-11T00:00:00.000Z';
const add = (book: SignupBook, ...signups: ReturnType<typeof aSignup>[]) => signups.reduce((b, s) => addPending(b, s).book, book);

describe('pending sign-ups', () => {
  it('finds a live sign-up by id, and a WhatsApp one by its number and code only', () => {
    const book = add(EMPTY_SIGNUPS, aSignup('sig_01'), aSignup('sig_02', { channel: 'email', email: 'b@example.it' as Email, code: '1111' }));
    expect(pendingById(book, 'sig_01', NOW)?.id).toBe('sig_01');
    expect(pendingByCode(book, aSignup('sig_01').phone as E164, '4821', NOW)?.id).toBe('sig_01');
    expect(pendingByCode(book, aSignup('sig_01').phone as E164, '4822', NOW)).toBeUndefined();
    expect(pendingByCode(book, '+393330000000' as E164, '4821', NOW)).toBeUndefined();
    // an e-mail sign-up is confirmed by its link, never by a code
    expect(pendingByCode(book, aSignup('sig_02').phone as E164, '1111', NOW)).toBeUndefined();
  });

  it('hands out nothing expired, deletes it and counts it expired on the day it expired', () => {
    const book = add(EMPTY_SIGNUPS, aSignup('sig_01'), aSignup('sig_02', { at: '2026-12-05T10:00:00.000Z', expiresAt: '2026-12-12T10:00:00.000Z' }));
    expect(pendingById(book, 'sig_01', LATER)).toBeUndefined();
    const { book: after, result } = withoutExpired(book, LATER);
    expect(result).toBe(1);
    expect(after.pending.map((p) => p.id)).toEqual(['sig_02']);
    expect(after.days).toEqual([
      { day: '2026-12-03', channel: 'whatsapp', requested: 1, confirmed: 0, expired: 0 },
      { day: '2026-12-05', channel: 'whatsapp', requested: 1, confirmed: 0, expired: 0 },
      { day: '2026-12-10', channel: 'whatsapp', requested: 0, confirmed: 0, expired: 1 },
    ]);
    expect(withoutExpired(after, LATER).book).toBe(after);
  });

  it('replaces an earlier pending sign-up of the same number or e-mail (any case), and says which', () => {
    const first = add(EMPTY_SIGNUPS, aSignup('sig_01', { email: 'Anna@Example.it' as Email }));
    const { book, result } = addPending(first, aSignup('sig_09', { phone: '+393330000009' as E164, email: 'anna@example.it' as Email, at: '2026-12-03T11:00:00.000Z' }));
    expect(result.map((p) => p.id)).toEqual(['sig_01']);
    expect(book.pending.map((p) => p.id)).toEqual(['sig_09']);
    expect(book.days[0]?.requested).toBe(2);
  });

  it('claims a form token once; a replay is refused until the token would have expired', () => {
    const { book, result } = claimToken(EMPTY_SIGNUPS, 'n1', '2026-12-03T12:00:00.000Z', NOW);
    expect(result).toBe(true);
    expect(claimToken(book, 'n1', '2026-12-03T12:00:00.000Z', NOW).result).toBe(false);
    expect(claimToken(book, 'n2', '2026-12-03T12:00:00.000Z', NOW).result).toBe(true);
    expect(withoutExpired(book, '2026-12-03T12:00:00.001Z').book.usedTokens).toEqual([]);
  });

  it('removes a confirmed sign-up once, counted confirmed on the day of the confirmation', () => {
    const book = add(EMPTY_SIGNUPS, aSignup('sig_01'));
    const once = removeConfirmed(book, ['sig_01'], '2026-12-04T08:00:00.000Z');
    expect(once.result).toBe(1);
    expect(once.book.pending).toEqual([]);
    expect(once.book.days.find((d) => d.day === '2026-12-04')?.confirmed).toBe(1);
    const again = removeConfirmed(once.book, ['sig_01'], '2026-12-04T08:00:01.000Z');
    expect(again.result).toBe(0);
    expect(again.book).toBe(once.book);
  });

  it('erases every pending sign-up of a number or an e-mail, and nobody else', () => {
    const book = add(EMPTY_SIGNUPS, aSignup('sig_01'), aSignup('sig_02', { channel: 'email', phone: undefined, email: 'b@example.it' as Email }), aSignup('sig_03'));
    const byPhone = erasePending(book, { phone: aSignup('sig_01').phone });
    expect(byPhone.result).toBe(1);
    const byMail = erasePending(byPhone.book, { email: 'B@example.it' as Email });
    expect(byMail.book.pending.map((p) => p.id)).toEqual(['sig_03']);
  });
});
