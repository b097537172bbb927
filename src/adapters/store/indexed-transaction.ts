import { emailKey } from '../../core/email.js';
import { CanaleError } from '../../core/errors.js';
import type { SubscriberTransaction, SubscriberVisitor } from '../../core/ports.js';
import { STORE_VERSION } from './store-schema.js';
import type { Consent, Subscriber, SubscriberId } from '../../core/subscriber.js';
import type { SubscriberInput } from '../../core/subscriber-input.js';
import { addSubscriber } from '../../core/subscribers.js';
import type { Template } from '../../core/template.js';
import type { Topic, TopicId } from '../../core/topic.js';
import type { WhatsAppIdentity } from '../../core/whatsapp-identity.js';
import type { LogChanges } from './change-log.js';
import { forEachKey, holdsKey, type IndexKind } from './store-index.js';
import { idTaken, subscriberExists } from '../../core/subscriber-exists.js';
import { KeyIndex } from '../../core/key-index.js';


/**
 * What a transaction reads beneath its changes: db.json through its index (IndexedFile), or the records a database
 * transaction has fetched (the PostgreSQL store's cache). Synchronous, as the transaction's work is.
 */
export interface SubscriberBase {
  /** The records that may hold this key (db.json's index holds hashes, not keys: the transaction checks each). */
  lookup(kind: IndexKind, value: string): Iterable<Subscriber>;
  /** Every record, in the store's order. */
  scan(visit: (record: Subscriber) => void): void;
  /** The synced templates. */
  templates(): readonly Template[];
}

/**
 * A transaction over a store without reading it whole (DESIGN §5): the records of a base (db.json as its index finds
 * it, or what a database transaction fetched) under a change log's records and this transaction's own changes. Every
 * lookup is a lookup of the base by key (synchronous: the port's transaction is synchronous work); a pass over
 * everyone (`scan`) is one pass over the base. Nothing is written here: the store writes `changes()` when the work
 * returns.
 */
export class IndexedTransaction implements SubscriberTransaction {
  private readonly own = new Map<string, Subscriber | null>();
  /** Keys of the records above the base (the log's and this transaction's) → their id, by kind; checked on use. */
  private readonly overlayKeys: Readonly<Record<IndexKind, KeyIndex>> = { i: new KeyIndex(), p: new KeyIndex(), e: new KeyIndex(), u: new KeyIndex(), s: new KeyIndex() };
  /** The ids overlayKeys point at (key indexes hold numbers: a bulk import notes a million of each kind). */
  private readonly overlayIds: string[] = [];
  private catalogue: Topic[];
  private synced: Template[] | undefined;
  private topicsChanged = false;
  private templatesChanged = false;

  constructor(
    private readonly base: SubscriberBase,
    private readonly log: LogChanges,
    topics: readonly Topic[],
  ) {
    this.catalogue = [...topics];
    for (const [id, s] of log) if (s !== null) this.noteKeys(s, id);
  }

  find(who: WhatsAppIdentity): Subscriber | undefined {
    return (who.phone === undefined ? undefined : this.byKey('p', who.phone)) ?? (who.userId === undefined ? undefined : this.byKey('u', who.userId));
  }

  findById(id: SubscriberId | string): Subscriber | undefined {
    return this.byKey('i', id);
  }

  findByEmail(email: string): Subscriber | undefined {
    return this.byKey('e', emailKey(email));
  }

  userIdHolder(userId: string, exceptId: SubscriberId): Subscriber | undefined {
    const holder = this.byKey('u', userId);
    return holder !== undefined && holder.id !== exceptId ? holder : undefined;
  }

  hasSource(source: string): boolean {
    if (source.startsWith('whatsapp:')) return this.byKey('s', source) !== undefined;
    let found = false;
    this.scan((s) => (found ||= s.consent.source === source || (s.history ?? []).some((e) => e.source === source)));
    return found;
  }

  conflict(contact: { readonly phone?: string; readonly email?: string }, exceptId?: SubscriberId): Subscriber | undefined {
    const byPhone = contact.phone === undefined ? undefined : this.byKey('p', contact.phone);
    if (byPhone !== undefined && byPhone.id !== exceptId) return byPhone;
    const byEmail = contact.email === undefined ? undefined : this.byKey('e', emailKey(contact.email));
    return byEmail !== undefined && byEmail.id !== exceptId ? byEmail : undefined;
  }

  add(input: SubscriberInput, meta: { readonly id: SubscriberId; readonly now: string; readonly consent: Consent }): Subscriber {
    const holder = this.findById(meta.id);
    if (holder !== undefined) throw idTaken(meta.id);
    const other = this.conflict(input);
    // addSubscriber on a list of just the other says why, as for any add
    const added = addSubscriber({ version: STORE_VERSION, topics: this.catalogue, templates: [], subscribers: other === undefined ? [] : [other] }, input, meta);
    return this.put(added);
  }

  insert(subscriber: Subscriber): Subscriber {
    const holder = this.findById(subscriber.id);
    if (holder !== undefined) throw idTaken(subscriber.id);
    this.refuseTaken(subscriber);
    return this.put(subscriber);
  }

  replace(next: Subscriber): Subscriber {
    const before = this.findById(next.id);
    if (before === undefined) throw new CanaleError('SUBSCRIBER_NOT_FOUND', `no subscriber has id ${next.id}`);
    this.refuseTaken(next, before);
    return this.put(next);
  }

  remove(id: SubscriberId | string): Subscriber {
    const found = this.findById(id);
    if (found === undefined) throw new CanaleError('SUBSCRIBER_NOT_FOUND', `no subscriber has id ${id}`);
    this.own.set(found.id, null);
    return found;
  }

  changed(): Subscriber[] {
    return [...this.own.values()].filter((s): s is Subscriber => s !== null);
  }

  /** This transaction's changes: each id as it now is (null: removed), and whether topics or templates changed. */
  changes(): { readonly subscribers: LogChanges; readonly removed: number; readonly sections: boolean; readonly topics: boolean; readonly templates: boolean } {
    const sections = this.topicsChanged || this.templatesChanged;
    return { subscribers: this.own, removed: [...this.own.values()].filter((s) => s === null).length, sections, topics: this.topicsChanged, templates: this.templatesChanged };
  }

  scan(visitor: SubscriberVisitor): void {
    // the records above the base when the scan begins: one the visitor changes or adds is not visited again
    const above = new Set([...this.log.keys(), ...this.own.keys()]);
    const seen = new Set<string>();
    let n = 0;
    this.base.scan((record) => {
      const now = this.above(record.id);
      if (now === undefined) visitor(record, n++);
      else {
        seen.add(record.id);
        if (now !== null) visitor(now, n++);
      }
    });
    for (const id of above) {
      const now = this.above(id);
      if (now !== null && now !== undefined && !seen.has(id)) {
        seen.add(id);
        visitor(now, n++);
      }
    }
  }

  topics(): readonly Topic[] {
    return this.catalogue;
  }

  putTopic(topic: Topic): void {
    const at = this.catalogue.findIndex((t) => t.id === topic.id);
    this.catalogue = at < 0 ? [...this.catalogue, topic] : this.catalogue.map((t, i) => (i === at ? topic : t));
    this.topicsChanged = true;
  }

  removeTopic(id: TopicId): void {
    this.catalogue = this.catalogue.filter((t) => t.id !== id);
    this.topicsChanged = true;
  }

  templates(): readonly Template[] {
    this.synced ??= [...this.base.templates()];
    return this.synced;
  }

  setTemplates(templates: readonly Template[]): void {
    this.synced = [...templates];
    this.templatesChanged = true;
  }

  /** The record above the base for an id: this transaction's, else the log's; null when removed, undefined when neither has it. */
  private above(id: string): Subscriber | null | undefined {
    return this.own.has(id) ? this.own.get(id) : this.log.get(id);
  }

  private byKey(kind: IndexKind, value: string): Subscriber | undefined {
    const overlaid = this.overlayKeys[kind].get(value);
    if (overlaid !== -1) {
      const now = this.above(this.overlayIds[overlaid] as string);
      if (now !== null && now !== undefined && holdsKey(now, kind, value)) return now;
    }
    for (const record of this.base.lookup(kind, value)) {
      // a record above the base decides for its id: the base's is what it was
      if (this.above(record.id) !== undefined) continue;
      if (holdsKey(record, kind, value)) return record;
    }
    return undefined;
  }

  private refuseTaken(next: Subscriber, before?: Subscriber): void {
    if (next.phone !== undefined && next.phone !== before?.phone) {
      const holder = this.byKey('p', next.phone);
      if (holder !== undefined && holder.id !== next.id) throw subscriberExists(holder, `phone ${next.phone}`);
    }
    if (next.email !== undefined && (before?.email === undefined || emailKey(next.email) !== emailKey(before.email))) {
      const holder = this.byKey('e', emailKey(next.email));
      if (holder !== undefined && holder.id !== next.id) throw subscriberExists(holder, `e-mail ${next.email}`);
    }
    if (next.whatsappUserId !== undefined && next.whatsappUserId !== before?.whatsappUserId) {
      const holder = this.byKey('u', next.whatsappUserId);
      if (holder !== undefined && holder.id !== next.id) throw subscriberExists(holder, `WhatsApp user id ${next.whatsappUserId}`);
    }
  }

  private put(subscriber: Subscriber): Subscriber {
    this.own.set(subscriber.id, subscriber);
    this.noteKeys(subscriber, subscriber.id);
    return subscriber;
  }

  private noteKeys(s: Subscriber, id: string): void {
    const at = this.overlayIds.push(id) - 1;
    forEachKey(s, (kind, value) => this.overlayKeys[kind].set(value, at));
  }
}
