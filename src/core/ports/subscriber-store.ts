import type { Consent, Subscriber, SubscriberId } from '../subscriber.js';
import type { SubscriberFilter } from '../subscriber-filter.js';
import type { SubscriberInput } from '../subscriber-input.js';
import type { Template } from '../template.js';
import type { Topic, TopicId } from '../topic.js';
import type { WhatsAppIdentity } from '../whatsapp-identity.js';

/** One way to name a subscriber: by id, phone (E.164), e-mail (compared as emailKey does) or WhatsApp user id. */
export type SubscriberKey =
  | { readonly id: string }
  | { readonly phone: string }
  | { readonly email: string }
  | { readonly userId: string };

/**
 * What a transaction will look up, named before it starts: a store finds them all at once (the JSON store by its
 * index, a database in one query) instead of one by one. A lookup of a key not named here is still answered, at the
 * cost of a lookup of its own.
 */
export interface BookHints {
  readonly phones?: Iterable<string>;
  readonly userIds?: Iterable<string>;
  readonly ids?: Iterable<string>;
  readonly emails?: Iterable<string>;
  /** Consent sources (`whatsapp:<message id>`) to know whether the store holds already. */
  readonly sources?: Iterable<string>;
  /**
   * The work will look up and change very many subscribers (an import of thousands of rows): the store may read them
   * all at once, as its bulk write will, rather than look each one up.
   */
  readonly bulk?: boolean;
}

/** Takes the subscribers of a scan one by one, with each one's place in the store's order. */
export type SubscriberVisitor = (subscriber: Subscriber, index: number) => void;

/**
 * The subscribers of one transaction, as it sees them: the store's state when it began plus its own changes. Every
 * method is synchronous: what the hints named is at hand, anything else is looked up by the store at once.
 * Uniqueness (phone, e-mail, WhatsApp user id) is the store's to check: `add`, `insert` and `replace` throw
 * CanaleError `SUBSCRIBER_EXISTS` naming the holder, and nothing of the transaction is kept.
 */
export interface SubscriberTransaction {
  /** The subscriber this identity is: the one with the number, else the one with the user id. */
  find(who: WhatsAppIdentity): Subscriber | undefined;
  findById(id: SubscriberId | string): Subscriber | undefined;
  findByEmail(email: string): Subscriber | undefined;
  /** The subscriber other than `exceptId` who has this WhatsApp user id, if any. */
  userIdHolder(userId: string, exceptId: SubscriberId): Subscriber | undefined;
  /** Whether a change from this consent source (`whatsapp:<message id>`) is in the store already. */
  hasSource(source: string): boolean;
  /** Another subscriber with this phone or e-mail, if any. */
  conflict(contact: { readonly phone?: string; readonly email?: string }, exceptId?: SubscriberId): Subscriber | undefined;
  /** Adds a new, active subscriber made from `input`; refuses a known phone or e-mail (SUBSCRIBER_EXISTS). */
  add(input: SubscriberInput, meta: { readonly id: SubscriberId; readonly now: string; readonly consent: Consent }): Subscriber;
  /** Adds a subscriber record as it is (an import's row); refuses a known id, phone, e-mail or user id. */
  insert(subscriber: Subscriber): Subscriber;
  /** Replaces a subscriber by id (SUBSCRIBER_NOT_FOUND), checking that a changed phone, e-mail or user id stays unique. */
  replace(next: Subscriber): Subscriber;
  /** Removes a subscriber by id and returns the record removed (SUBSCRIBER_NOT_FOUND). */
  remove(id: SubscriberId | string): Subscriber;
  /** The subscribers added or replaced so far, as they are now, in the order first changed. */
  changed(): Subscriber[];
  /** Every subscriber as the transaction sees them, in the store's order, one at a time. */
  scan(visitor: SubscriberVisitor): void;
  /** The topic catalogue as the transaction sees it. */
  topics(): readonly Topic[];
  /** Adds a topic, or replaces the one with its id. */
  putTopic(topic: Topic): void;
  /** Removes a topic from the catalogue (its followers are the caller's to change). */
  removeTopic(id: TopicId): void;
  /** The synced WhatsApp templates. */
  templates(): readonly Template[];
  /** Replaces the synced templates. */
  setTemplates(templates: readonly Template[]): void;
}

/** What a scan found: how many subscribers the store has, and how many matched. */
export interface ScanCount {
  readonly total: number;
  readonly matched: number;
}

/** What a survey found: a scan's counts, and every attribute key any subscriber of the store has, matched or not. */
export interface Survey extends ScanCount {
  readonly attributes: ReadonlySet<string>;
}

/**
 * The subscribers, their topics and the synced templates (DESIGN §5). Implementations guarantee:
 * - reads need no lock and see one committed state, never a half-written one;
 * - `transaction` runs `work` on the state as it is now, serialised with every other transaction across processes
 *   (the JSON store: a lock file; a database: its own locks), and keeps all of its changes or none: if `work` throws,
 *   or a uniqueness check fails, nothing is written and the error is rethrown; when the promise resolves the changes
 *   are on disk (a crash right after loses none of them);
 * - a small change writes what it changed, not the whole store;
 * - damage is reported (CanaleError `STORE_DAMAGED`) and never overwritten.
 */
export interface SubscriberStore {
  /** The subscriber named by this key, or undefined. */
  find(key: SubscriberKey): Promise<Subscriber | undefined>;
  /**
   * Hands each subscriber that matches `filter` (all, without one) to `visitor` as it is read, keeping none: a
   * million subscribers cost the memory of one.
   */
  scan(filter: SubscriberFilter | undefined, visitor: SubscriberVisitor): Promise<ScanCount>;
  /**
   * A scan, as `scan`, that also names every attribute key any subscriber of the whole store has — those `filter`
   * rules out too — as of the same state: what a send checks its placeholders and `--where` against while it holds
   * only its audience.
   */
  survey(filter: SubscriberFilter | undefined, visitor: SubscriberVisitor): Promise<Survey>;
  /** How many subscribers match `filter`. */
  count(filter?: SubscriberFilter): Promise<number>;
  /** The topic catalogue, without reading any subscriber. */
  topics(): Promise<Topic[]>;
  /** The synced WhatsApp templates, without reading any subscriber. */
  templates(): Promise<Template[]>;
  /** A change, atomic and serialised (see above); `hints` name whom `work` will look up. */
  transaction<T>(hints: BookHints, work: (tx: SubscriberTransaction) => T): Promise<T>;
}
