export type * from './ports/campaign-store.js';
export * from './ports/event-log.js';
export type * from './ports/locks.js';
export type * from './ports/schedule-store.js';
export type * from './ports/signup-store.js';
export type * from './ports/subscriber-store.js';
import type { CampaignStore } from './ports/campaign-store.js';
import type { EventLog } from './ports/event-log.js';
import type { Locks } from './ports/locks.js';
import type { ScheduleStore } from './ports/schedule-store.js';
import type { SignupStore } from './ports/signup-store.js';
import type { SubscriberStore } from './ports/subscriber-store.js';

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
  /** Web sign-ups waiting for their confirmation (issue 19). */
  readonly signups: SignupStore;
  readonly locks: Locks;
  /** Releases what the ports hold open (a database's connections); the home's files need none. */
  readonly close?: () => Promise<void>;
}

/** The subscriber store, for a command that needs no other port (Deps.subscriberStore), and what releases it. */
export type SubscriberPorts = Pick<Persistence, 'subscribers' | 'close'>;
