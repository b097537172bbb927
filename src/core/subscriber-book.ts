import { emailKey } from './email.js';
import { ChangeOrder } from './change-order.js';
import { KeyIndex } from './key-index.js';
import { CanaleError } from './errors.js';
import type { BookHints, SubscriberTransaction, SubscriberVisitor } from './ports/subscriber-store.js';
import type { StoreData } from './store-data.js';
import type { Consent, Subscriber, SubscriberId } from './subscriber.js';
import type { SubscriberInput } from './subscriber-input.js';
import { contactTaken, idTaken, refuseUserId } from './subscriber-exists.js';
import { addSubscriber } from './subscribers.js';
import type { Template } from './template.js';
import type { Topic, TopicId } from './topic.js';
import type { WhatsAppIdentity } from './whatsapp-identity.js';

export type { BookHints } from './ports/subscriber-store.js';

type Key = 'phone' | 'userId' | 'id' | 'email';
const KEYS = ['phone', 'userId', 'id', 'email'] as const satisfies readonly Key[];
const PASSES_BEFORE_MAP = 16;
const NONE = -1;

const keyOf: Readonly<Record<Key, (s: Subscriber) => string | undefined>> = {
  phone: (s) => s.phone,
  userId: (s) => s.whatsappUserId,
  id: (s) => s.id,
  email: (s) => (s.email === undefined ? undefined : emailKey(s.email)),
};

/**
 * The store's subscribers with lookups by phone, WhatsApp user id, id and consent source, for applying many changes
 * to one StoreData — a batch of the webhook server's replies: one pass over the store finds everyone the batch names
 * (`hints`), then each lookup and change is a map access, not a pass over a million records (5,000 replies on a
 * million subscribers were billions of comparisons: findByIdentity, isAlreadyApplied and the duplicate checks each
 * scanned everyone). Only what the batch names is kept, not a map of the whole store. A key not hinted is looked
 * up by a scan, once. Changes go through the book, which writes into `data.subscribers` in place.
 */
export class SubscriberBook implements SubscriberTransaction {
  /** Where each key's subscriber is in `data.subscribers` (key indexes: a bulk import maps a million of each). */
  private positions: Record<Key, KeyIndex> = freshPositions();
  /** Keys whose absence the book knows (hinted, or scanned for): a miss is true without a scan. None kept once isComplete. */
  private readonly known: Record<Key, Set<string>> = { phone: new Set(), userId: new Set(), id: new Set(), email: new Set() };
  private readonly sources = new Set<string>();
  private readonly sourcesKnown = new Set<string>();
  /** The subscribers added or replaced through the book: what a store writes of this change (changed()). */
  private readonly changes: ChangeOrder;
  private readonly removedIds = new Set<SubscriberId>();
  private catalogueChanged = false;
  /** Passes made over everyone for keys the hints did not name; past PASSES_BEFORE_MAP everyone is mapped instead. */
  private passes = 0;
  /** Every subscriber's keys are in `positions` (mapEveryone). */
  private isComplete = false;
  private templatesChanged = false;

  constructor(
    readonly data: StoreData,
    hints: BookHints = {},
  ) {
    this.changes = new ChangeOrder(data.subscribers.length);
    const pass = this.passFor(hints);
    if (pass !== undefined) pass(0, data.subscribers.length);
  }

  /**
   * The book, its one pass over the store made `step` subscribers at a time with `pause()` between them: a server
   * that applies a batch to a million subscribers goes on answering requests meanwhile.
   */
  static async built(data: StoreData, hints: BookHints, pause: () => Promise<void>, step = 20_000): Promise<SubscriberBook> {
    const book = new SubscriberBook(data);
    const pass = book.passFor(hints);
    for (let from = 0; pass !== undefined && from < data.subscribers.length; from += step) {
      pass(from, Math.min(data.subscribers.length, from + step));
      await pause();
    }
    return book;
  }

  /** The pass that finds what `hints` name (subscribers from..to at a time), or undefined when they name nothing. */
  private passFor(hints: BookHints): ((from: number, to: number) => void) | undefined {
    const emails = [...(hints.emails ?? [])].map(emailKey);
    const wanted: Record<Key, Set<string>> = { phone: new Set(hints.phones), userId: new Set(hints.userIds), id: new Set(hints.ids), email: new Set(emails) };
    const sources = new Set(hints.sources);
    if (wanted.phone.size + wanted.userId.size + wanted.id.size + wanted.email.size + sources.size === 0) return undefined;
    // what the hints name is known from the start: the pass must end before the book is used
    for (const key of KEYS) wanted[key].forEach((k) => this.known[key].add(k));
    sources.forEach((s) => this.sourcesKnown.add(s));
    return (from, to) => {
      for (let i = from; i < to; i++) {
        const s = this.data.subscribers[i] as Subscriber;
        for (const key of KEYS) {
          const k = keyOf[key](s);
          if (k !== undefined && wanted[key].has(k) && this.positions[key].get(k) === NONE) this.positions[key].set(k, i);
        }
        if (sources.size > 0) {
          if (sources.has(s.consent.source)) this.sources.add(s.consent.source);
          for (const e of s.history ?? []) if (sources.has(e.source)) this.sources.add(e.source);
        }
      }
    };
  }

  /** A transaction as it is, or a book over a whole StoreData. */
  static of(data: StoreData | SubscriberTransaction): SubscriberTransaction {
    return isStoreData(data) ? new SubscriberBook(data) : data;
  }

  /** The subscriber this identity is: the one with the number, else the one with the user id. */
  find(who: WhatsAppIdentity): Subscriber | undefined {
    return (who.phone === undefined ? undefined : this.lookup('phone', who.phone)) ?? (who.userId === undefined ? undefined : this.lookup('userId', who.userId));
  }

  /** The subscriber other than `exceptId` who has this WhatsApp user id, if any. */
  userIdHolder(userId: string, exceptId: SubscriberId): Subscriber | undefined {
    const holder = this.lookup('userId', userId);
    return holder !== undefined && holder.id !== exceptId ? holder : undefined;
  }

  findById(id: SubscriberId | string): Subscriber | undefined {
    return this.lookup('id', id);
  }

  findByEmail(email: string): Subscriber | undefined {
    return this.lookup('email', emailKey(email));
  }

  /** Whether a change from this consent source (`whatsapp:<message id>`) is in the store already. */
  hasSource(source: string): boolean {
    if (this.sources.has(source)) return true;
    if (this.sourcesKnown.has(source)) return false;
    const found = this.data.subscribers.some((s) => s.consent.source === source || (s.history ?? []).some((e) => e.source === source));
    this.sourcesKnown.add(source);
    if (found) this.sources.add(source);
    return found;
  }

  /** Another subscriber with this phone or e-mail, if any (findConflict, without a pass over everyone each time). */
  conflict(contact: { readonly phone?: string; readonly email?: string }, exceptId?: SubscriberId): Subscriber | undefined {
    const byPhone = contact.phone === undefined ? undefined : this.lookup('phone', contact.phone);
    if (byPhone !== undefined && byPhone.id !== exceptId) return byPhone;
    const byEmail = contact.email === undefined ? undefined : this.lookup('email', emailKey(contact.email));
    return byEmail !== undefined && byEmail.id !== exceptId ? byEmail : undefined;
  }

  /** Replaces a subscriber by id (replaceSubscriber), checking that a changed phone or e-mail stays unique. */
  replace(next: Subscriber): Subscriber {
    const before = this.lookup('id', next.id);
    const at = this.positions.id.get(next.id);
    if (before === undefined || at === NONE) throw new CanaleError('SUBSCRIBER_NOT_FOUND', `no subscriber has id ${next.id}`);
    const changed = { ...(next.phone !== before.phone ? { phone: next.phone } : {}), ...(next.email !== before.email ? { email: next.email } : {}) };
    const other = this.conflict(changed, next.id);
    if (other !== undefined) throw contactTaken(other, changed);
    if (next.whatsappUserId !== undefined && next.whatsappUserId !== before.whatsappUserId) refuseUserId(this.userIdHolder(next.whatsappUserId, next.id), next.whatsappUserId);
    this.data.subscribers[at] = next;
    this.note(next, at, before);
    this.changes.replaced(next.id, at);
    return next;
  }

  /** Adds a new, active subscriber (addSubscriber), refusing one whose phone or e-mail is already known. */
  add(input: SubscriberInput, meta: { readonly id: SubscriberId; readonly now: string; readonly consent: Consent }): Subscriber {
    if (this.lookup('id', meta.id) !== undefined) throw idTaken(meta.id);
    const other = this.conflict(input);
    // addSubscriber on a list of just the other says why, as for any add
    const added = addSubscriber({ ...this.data, subscribers: other === undefined ? [] : [other] }, input, meta);
    this.data.subscribers.push(added);
    this.note(added, this.data.subscribers.length - 1);
    this.changes.added(added.id);
    return added;
  }

  /** Adds a record as it is (an import's row), refusing a known id, phone, e-mail or WhatsApp user id. */
  insert(subscriber: Subscriber): Subscriber {
    if (this.lookup('id', subscriber.id) !== undefined) throw idTaken(subscriber.id);
    const other = this.conflict(subscriber);
    if (other !== undefined) throw contactTaken(other, subscriber);
    if (subscriber.whatsappUserId !== undefined) refuseUserId(this.lookup('userId', subscriber.whatsappUserId), subscriber.whatsappUserId);
    this.data.subscribers.push(subscriber);
    this.note(subscriber, this.data.subscribers.length - 1);
    this.changes.added(subscriber.id);
    return subscriber;
  }

  /** Removes a subscriber by id; the places of those after it move, so the book's lookups are made afresh. */
  remove(id: SubscriberId | string): Subscriber {
    const found = this.lookup('id', id);
    const at = this.positions.id.get(id);
    if (found === undefined || at === NONE) throw new CanaleError('SUBSCRIBER_NOT_FOUND', `no subscriber has id ${id}`);
    this.data.subscribers.splice(at, 1);
    this.positions = freshPositions();
    for (const key of KEYS) this.known[key].clear();
    this.isComplete = false;
    this.changes.removed(found.id, at);
    this.removedIds.add(found.id);
    return found;
  }

  /** The ids removed through the book. */
  removed(): SubscriberId[] {
    return [...this.removedIds];
  }

  scan(visitor: SubscriberVisitor): void {
    this.data.subscribers.forEach((s, i) => visitor(s, i));
  }

  topics(): readonly Topic[] {
    return this.data.topics;
  }

  putTopic(topic: Topic): void {
    const at = this.data.topics.findIndex((t) => t.id === topic.id);
    if (at < 0) this.data.topics.push(topic);
    else this.data.topics[at] = topic;
    this.catalogueChanged = true;
  }

  removeTopic(id: TopicId): void {
    const at = this.data.topics.findIndex((t) => t.id === id);
    if (at >= 0) this.data.topics.splice(at, 1);
    this.catalogueChanged = true;
  }

  templates(): readonly Template[] {
    return this.data.templates;
  }

  setTemplates(templates: readonly Template[]): void {
    this.data.templates = [...templates];
    this.templatesChanged = true;
  }

  /** What else than subscribers the book changed: the catalogue, the templates. */
  changedSections(): { readonly topics: boolean; readonly templates: boolean } {
    return { topics: this.catalogueChanged, templates: this.templatesChanged };
  }

  /** The subscribers added or replaced through the book, as they are now, in the order first changed. */
  changed(): Subscriber[] {
    const changed: Subscriber[] = [];
    for (const id of this.changes.list()) {
      const now = this.lookup('id', id);
      if (now !== undefined) changed.push(now);
    }
    return changed;
  }

  private lookup(key: Key, value: string): Subscriber | undefined {
    const at = this.positions[key].get(value);
    const found = at === NONE ? undefined : this.data.subscribers[at];
    if (found !== undefined && keyOf[key](found) === value) return found;
    if (at === NONE && (this.isComplete || this.known[key].has(value))) return undefined;
    // many lookups the hints did not name (a bulk import's inserts): one pass maps everyone, then each is a map access
    if (++this.passes > PASSES_BEFORE_MAP) {
      this.mapEveryone();
      return this.lookup(key, value);
    }
    // not hinted, or moved behind the book's back: looked up once
    const index = this.data.subscribers.findIndex((s) => keyOf[key](s) === value);
    this.known[key].add(value);
    if (index < 0) {
      this.positions[key].delete(value);
      return undefined;
    }
    const subscriber = this.data.subscribers[index] as Subscriber;
    this.note(subscriber, index);
    return subscriber;
  }

  /** Maps every subscriber's keys: from then on a key not in the maps is nobody's. */
  private mapEveryone(): void {
    this.positions = freshPositions(this.data.subscribers.length);
    this.data.subscribers.forEach((s, i) => {
      for (const k of KEYS) {
        const v = keyOf[k](s);
        if (v !== undefined && this.positions[k].get(v) === NONE) this.positions[k].set(v, i);
      }
    });
    this.isComplete = true;
  }

  private note(next: Subscriber, at: number, before?: Subscriber): void {
    for (const key of KEYS) {
      const old = before === undefined ? undefined : keyOf[key](before);
      const now = keyOf[key](next);
      if (old !== undefined && old !== now && this.positions[key].get(old) === at) this.positions[key].delete(old);
      if (now !== undefined) this.positions[key].set(now, at);
      if (now !== undefined && !this.isComplete) this.known[key].add(now);
    }
    this.sources.add(next.consent.source);
    for (const e of next.history ?? []) this.sources.add(e.source);
  }
}

function freshPositions(expected = 0): Record<Key, KeyIndex> {
  return { phone: new KeyIndex(expected), userId: new KeyIndex(), id: new KeyIndex(expected), email: new KeyIndex(expected) };
}

/** Whether this is a whole store's data rather than a transaction over one. */
export function isStoreData(value: StoreData | SubscriberTransaction): value is StoreData {
  return Array.isArray((value as Partial<StoreData>).subscribers);
}
