import type { Subscriber } from '../subscriber.js';

/**
 * One opt-out: by subscriber id once the store has it, or — from the webhook server, before its batch is written
 * to a large store — by the phone, user id or e-mail the citizen wrote from, so a running send honours it at once.
 */
export interface OptOut {
  readonly subscriberId?: string;
  readonly phone?: string;
  /** WhatsApp's business-scoped user id, for a citizen who writes without showing their number. */
  readonly userId?: string;
  readonly email?: string;
  /** The topic left; absent: everything. */
  readonly topic?: string;
  /** Only marketing templates (WhatsApp's own "stop offers" switch): utility messages still go. */
  readonly isMarketingOnly?: boolean;
  readonly at: string;
}

/** The opt-outs recorded since a mark, as a running send needs them, until closed. */
export interface OptOutWatch {
  /**
   * Whether the subscriber left everything since the mark, or each of `topics` (those the send reaches them for),
   * or — for a marketing template on WhatsApp — stopped marketing messages.
   */
  hasLeft(subscriber: Pick<Subscriber, 'id' | 'phone' | 'email' | 'whatsappUserId'>, topics: readonly string[], isMarketing?: boolean): boolean;
  close(): Promise<void>;
}

/** A one-click or link unsubscribe, by the subscriber id its token names. */
export interface UnsubscribeRecord {
  readonly subscriberId: string;
  readonly topic?: string;
  readonly source: 'email:one-click' | 'email:link';
}

/** The topics a citizen chose on their preference page (`/u/TOKEN`): exactly these from now on (none: leave everything). */
export interface PreferencesRecord {
  readonly subscriberId: string;
  readonly topics: readonly string[];
  readonly source: 'email:preferences';
}

/** A sign-up from the web page confirmed by its e-mail link (`POST /iscriviti/conferma/TOKEN`). */
export interface ConfirmationRecord {
  readonly signupId: string;
  readonly source: 'web:iscriviti';
}

/** What a page citizens open records in the inbox, for the applier to apply with the next batch. */
export type PageEntry =
  | { readonly unsubscribe: UnsubscribeRecord }
  | { readonly preferences: PreferencesRecord }
  | { readonly confirmation: ConfirmationRecord };

/**
 * The inbox line of a page's entry, as every EventLog writes it: `{"at", "unsubscribe": {sub, topic?, source}}`
 * (the format since the first release), `{"at", "preferences": {sub, topics, source}}`, `{"at", "confirmation": {signup, source}}`.
 */
export function pageLine(at: string, entry: PageEntry): string {
  if ('unsubscribe' in entry) {
    const u = entry.unsubscribe;
    return JSON.stringify({ at, unsubscribe: { sub: u.subscriberId, ...(u.topic === undefined ? {} : { topic: u.topic }), source: u.source } });
  }
  if ('preferences' in entry) {
    const p = entry.preferences;
    return JSON.stringify({ at, preferences: { sub: p.subscriberId, topics: p.topics, source: p.source } });
  }
  return JSON.stringify({ at, confirmation: { signup: entry.confirmation.signupId, source: entry.confirmation.source } });
}

/** How far the webhook server has applied its inbox, and its counters for `webhook status`. */
export interface EventCursor {
  /** The position of the first entry not yet applied: every one before it is applied. */
  readonly offset: number;
  /** Entries before `offset`. */
  readonly lines: number;
  /** Positions of earlier entries that still hold receipts waiting for their message id. */
  readonly waiting: readonly number[];
  readonly waitingReceipts: number;
  readonly batches: number;
  readonly storeWrites: number;
  /**
   * Answers the server sent citizens (confirmations, help, the topic list), per UTC day (`2026-12-04`), the last 31
   * days (core/reply-traffic.ts); absent in a cursor written before they were counted.
   */
  readonly replies?: Readonly<Record<string, number>>;
}

/** The cursor of an inbox nothing of which is applied yet. */
export const EVENT_CURSOR_START: EventCursor = { offset: 0, lines: 0, waiting: [], waitingReceipts: 0, batches: 0, storeWrites: 0 };

/** One entry of the inbox, at its position. */
export interface LogLine {
  readonly offset: number;
  readonly text: string;
}

/** How many WhatsApp messages in a row each subscriber could not receive, across campaigns and restarts. */
export interface FailureStreaks {
  /** Counts one more failure (or clears the streak on a delivery); returns the streak. */
  note(subscriberId: string, undeliverable: boolean): Promise<number>;
}

/**
 * The webhook inbox (every request Meta or a citizen's browser made, in order, durable before it is answered), its
 * applied cursor, the opt-out feed that running sends follow, and the failure streaks (DESIGN §5, §7).
 * Implementations guarantee:
 * - `record`, `recordPage` and `appendOptOuts` resolve once what they append is durable, many appends sharing
 *   one flush (group commit);
 * - entries are read back in the order appended, from any position a cursor saved; a torn last entry is not read;
 * - an opt-out appended is seen by every watch started from an earlier mark within a second;
 * - `erase` removes a person's phone, e-mail, name and id from all of it.
 */
export interface EventLog {
  /**
   * Appends the payload to the inbox and `optOuts` (a STOP's, named on the request path) to the opt-out feed, both
   * durable before it resolves — in one commit where the store has one for both (PostgreSQL).
   */
  record(at: string, payload: unknown, optOuts?: readonly OptOut[]): Promise<void>;
  /** Calls `listener` each time an entry is durable (the webhook server's applier wakes on it). */
  onRecorded(listener: () => void): void;
  /** What a page citizens open asked for (an unsubscribe, a preference change, a sign-up confirmed), durable before it resolves. */
  recordPage(at: string, entry: PageEntry): Promise<void>;
  /** Entries from `offset` on (at most about `maxBytes` of them), where they end, and where the inbox ends now. */
  readFrom(offset: number, maxBytes?: number): Promise<{ lines: LogLine[]; end: number; size: number }>;
  /** The entry at `offset`, if whole. */
  lineAt(offset: number): Promise<string | undefined>;
  /** How many entries there are from `offset` on. */
  countFrom(offset: number): Promise<number>;
  /** Where the inbox ends now (0 when empty). */
  size(): Promise<number>;
  cursor(): Promise<EventCursor>;
  saveCursor(cursor: EventCursor): Promise<void>;
  /** Appends opt-outs to the feed, durable before it resolves. */
  appendOptOuts(optOuts: readonly OptOut[]): Promise<void>;
  /** Where the opt-out feed ends now: a send takes it before it reads the store, and watches from there. */
  optOutMark(): Promise<number>;
  /** Follows the opt-out feed from a mark. */
  watchOptOuts(from: number): Promise<OptOutWatch>;
  streaks(): Promise<FailureStreaks>;
  /** Removes a person from the inbox, the feed and the streaks; returns how many places changed. */
  erase(subscriber: Subscriber): Promise<number>;
  /** Where the inbox is, for messages. */
  whereIs(): string;
  /** Releases what the log holds open. */
  close(): Promise<void>;
}
