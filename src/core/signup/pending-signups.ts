import type { Email } from '../email.js';
import type { E164 } from '../phone.js';
import type { Channel } from '../subscriber.js';
import type { TopicId } from '../topic.js';

/**
 * A sign-up from the web page (`/iscriviti`) waiting for the citizen's confirmation (double opt-in, DESIGN §2): not a
 * subscriber yet — no send can reach it — and deleted, leaving nothing behind, when `expiresAt` has passed.
 */
export interface PendingSignup {
  readonly id: string;
  /** When the form was sent. */
  readonly at: string;
  readonly expiresAt: string;
  readonly name?: string;
  readonly phone?: E164;
  readonly email?: Email;
  readonly topics: readonly TopicId[];
  /** Where confirmation is asked and messages will go. */
  readonly channel: Channel;
  /** What a WhatsApp sign-up is confirmed with: the citizen writes `CONFERMA <code>` from their number. */
  readonly code: string;
  /** The version of the privacy notice the page linked (`privacy.noticeVersion`). */
  readonly notice: string;
}

/** A form token already used, kept until it would have expired anyway (a replay of it is refused meanwhile). */
export interface UsedToken {
  readonly nonce: string;
  readonly until: string;
}

/** What happened to sign-ups on one day (UTC), for one channel: counts only, no personal data. */
export interface SignupDay {
  readonly day: string;
  readonly channel: Channel;
  readonly requested: number;
  readonly confirmed: number;
  readonly expired: number;
}

/** Everything the sign-up store keeps: small (pending sign-ups live a week), read and rewritten whole. */
export interface SignupBook {
  readonly pending: readonly PendingSignup[];
  readonly usedTokens: readonly UsedToken[];
  readonly days: readonly SignupDay[];
}

export const EMPTY_SIGNUPS: SignupBook = { pending: [], usedTokens: [], days: [] };

/** What a change of the book returns: the book to keep, and its result. */
export interface SignupChanged<T> {
  readonly book: SignupBook;
  readonly result: T;
}

const dayOf = (at: string): string => at.slice(0, 10);
const isLive = (now: string) => (p: PendingSignup) => p.expiresAt > now;

function counted(days: readonly SignupDay[], at: string, channel: Channel, field: 'requested' | 'confirmed' | 'expired', n = 1): SignupDay[] {
  const day = dayOf(at);
  const found = days.find((d) => d.day === day && d.channel === channel);
  const next = { ...(found ?? { day, channel, requested: 0, confirmed: 0, expired: 0 }) };
  next[field] += n;
  return [...days.filter((d) => d !== found), next].sort((a, b) => a.day.localeCompare(b.day) || a.channel.localeCompare(b.channel));
}

/**
 * Deletes the sign-ups whose time has passed (each counted `expired` on the day it expired) and forgets used form
 * tokens past their time. Every other operation starts with it, so nothing expired is ever handed out.
 */
export function withoutExpired(book: SignupBook, now: string): SignupChanged<number> {
  const live = isLive(now);
  let days = book.days;
  let expired = 0;
  for (const p of book.pending) {
    if (live(p)) continue;
    days = counted(days, p.expiresAt, p.channel, 'expired');
    expired++;
  }
  const usedTokens = book.usedTokens.filter((t) => t.until > now);
  if (expired === 0 && usedTokens.length === book.usedTokens.length) return { book, result: 0 };
  return { book: { pending: book.pending.filter(live), usedTokens, days }, result: expired };
}

const sameContact = (a: Pick<PendingSignup, 'phone' | 'email'>, b: Pick<PendingSignup, 'phone' | 'email'>): boolean =>
  (a.phone !== undefined && a.phone === b.phone) || (a.email !== undefined && b.email !== undefined && a.email.toLowerCase() === b.email.toLowerCase());

/**
 * Keeps a new sign-up, counted `requested`. An earlier one still pending for the same number or e-mail is replaced
 * (its link and code stop working): the result names it, so the caller can decide not to send a second message at once.
 */
export function addPending(book: SignupBook, signup: PendingSignup): SignupChanged<readonly PendingSignup[]> {
  const { book: live } = withoutExpired(book, signup.at);
  const replaced = live.pending.filter((p) => sameContact(p, signup));
  return {
    book: { ...live, pending: [...live.pending.filter((p) => !replaced.includes(p)), signup], days: counted(live.days, signup.at, signup.channel, 'requested') },
    result: replaced,
  };
}

/** The live sign-up, if any, of this number or e-mail. */
export function pendingOf(book: SignupBook, who: Pick<PendingSignup, 'phone' | 'email'>, now: string): PendingSignup | undefined {
  return book.pending.find((p) => sameContact(p, who) && isLive(now)(p));
}

/** Claims a form token's nonce: false when it was used before (a replay). Kept until `until`, then forgotten. */
export function claimToken(book: SignupBook, nonce: string, until: string, now: string): SignupChanged<boolean> {
  const { book: live } = withoutExpired(book, now);
  if (live.usedTokens.some((t) => t.nonce === nonce)) return { book: live, result: false };
  return { book: { ...live, usedTokens: [...live.usedTokens, { nonce, until }] }, result: true };
}

/** The pending sign-up with this id, unless it has expired. */
export function pendingById(book: SignupBook, id: string, now: string): PendingSignup | undefined {
  return book.pending.find((p) => p.id === id && isLive(now)(p));
}

/** The pending WhatsApp sign-up of this number with this code, unless it has expired. */
export function pendingByCode(book: SignupBook, phone: E164, code: string, now: string): PendingSignup | undefined {
  return book.pending.find((p) => p.channel === 'whatsapp' && p.phone === phone && p.code === code && isLive(now)(p));
}

/**
 * Removes sign-ups once the citizen confirmed them (and the subscriber store holds them), each counted `confirmed` on
 * the day of `at`; returns how many were still there. Only the first removal of an id counts: a confirmation applied
 * again after a crash finds nothing.
 */
export function removeConfirmed(book: SignupBook, ids: readonly string[], at: string): SignupChanged<number> {
  const found = book.pending.filter((p) => ids.includes(p.id));
  if (found.length === 0) return { book, result: 0 };
  const days = found.reduce((acc, p) => counted(acc, at, p.channel, 'confirmed'), book.days as SignupDay[]);
  return { book: { ...book, pending: book.pending.filter((p) => !found.includes(p)), days }, result: found.length };
}

/** Erasure on request: removes every pending sign-up with this number or e-mail; returns how many. */
export function erasePending(book: SignupBook, who: Pick<PendingSignup, 'phone' | 'email'>): SignupChanged<number> {
  const pending = book.pending.filter((p) => !sameContact(p, who));
  return { book: { ...book, pending }, result: book.pending.length - pending.length };
}
