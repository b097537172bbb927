export type * from './ports/campaign-store.js';
export * from './ports/event-log.js';
export type * from './ports/locks.js';
export type * from './ports/schedule-store.js';
export type * from './ports/subscriber-store.js';
import type { CampaignStore } from './ports/campaign-store.js';
import type { EventLog } from './ports/event-log.js';
import type { Locks } from './ports/locks.js';
import type { ScheduleStore } from './ports/schedule-store.js';
import type { SubscriberStore } from './ports/subscriber-store.js';
import type { StoreData } from './store-data.js';
import type { BookHints, SubscriberVisitor } from './ports/subscriber-store.js';
import type { SubscriberBook } from './subscriber-book.js';
import type { Topic } from './topic.js';

/** Time, asked for rather than read from the air, so tests can use a fake clock. */
export interface Clock {
  /** The current instant. */
  now(): Date;
}

/** New identifiers, asked for so tests get predictable ones. */
export interface IdSource {
  /** A new, unique, URL-safe id that starts with `prefix` (for example `sub_`). */
  next(prefix: string): string;
}

/**
 * The subscriber store. Implementations guarantee:
 * - `read()` returns a complete, validated snapshot, never a half-written one;
 * - `update()` runs `change` on fresh data while holding an exclusive lock across processes, then writes the
 *   result atomically; if `change` throws, nothing is written and the error is rethrown;
 * - a damaged file is reported (CanaleError `STORE_DAMAGED`) and never overwritten.
 */
export interface Store {
  read(): Promise<StoreData>;
  update<T>(change: (data: StoreData) => T): Promise<T>;
  /** The topic catalogue alone, validated: the store is read only as far as its topics. */
  topics(): Promise<Topic[]>;
  /**
   * Reads the store once and hands each subscriber, validated, to a visitor as it is read, keeping none: a million
   * subscribers cost the memory of one. `begin` makes the visitor; should a hand-edited file have to be read again
   * from its start, `begin` is called again and the visitor it made before is dropped. Returns the rest of the store.
   */
  scan(begin: () => SubscriberVisitor): Promise<StoreScan>;
  /**
   * A change to a few subscribers, under the same lock as `update`: `change` gets a SubscriberBook over fresh data
   * (`hints`: whom it will look up, found in one pass) and adds or replaces subscribers through it — nothing else it
   * does to the data is kept. Only those subscribers are written (the JSON store appends them to its change log), on
   * disk before the promise resolves; if `change` throws, nothing is written.
   */
  change<T>(hints: BookHints, change: (book: SubscriberBook) => T): Promise<T>;
}


/** What a scan leaves: the store without its subscribers, and how many there were. */
export type StoreScan = Omit<StoreData, 'subscribers'> & { readonly subscriberCount: number };

/**
 * One-click unsubscribe links for e-mails: a URL under the public base with a token that proves which subscriber
 * and topic it is for (signed with the unsubscribe secret), so the webhook server can act on it without a login.
 */
/** Whom an unsubscribe link is for: a subscriber, and the topic it leaves (none: everything). */
export interface UnsubscribeTarget {
  readonly subscriberId: string;
  readonly topic?: string;
}

export interface UnsubscribeLinks {
  /** The link, made now (it carries the day it was issued), or undefined when the public URL or the secret is not configured. */
  urlFor(subscriberId: string, topic: string | undefined): string | undefined;
  /**
   * The subscriber and topic a token was made for; `expired` when it was made with this secret but is older than the
   * links' life; undefined when it was not made with this secret (or altered in any way).
   */
  read(token: string): UnsubscribeTarget | 'expired' | undefined;
}

/** Everything canale keeps, behind its ports: built once per command (Deps.persistence), from the home or a database. */
export interface Persistence {
  readonly subscribers: SubscriberStore;
  readonly campaigns: CampaignStore;
  readonly events: EventLog;
  readonly schedules: ScheduleStore;
  readonly locks: Locks;
}
