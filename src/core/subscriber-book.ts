import { emailKey } from './email.js';
import type { StoreData } from './store-data.js';
import type { Consent, Subscriber, SubscriberId } from './subscriber.js';
import type { SubscriberInput } from './subscriber-input.js';
import { addSubscriber } from './subscribers.js';
import { CanaleError } from './errors.js';
import type { WhatsAppIdentity } from './whatsapp-identity.js';

type Lookup = 'phones' | 'userIds' | 'emails';

/**
 * The store's subscribers with lookups by phone, WhatsApp user id, e-mail and consent source, for applying many
 * citizens' replies to one StoreData (a batch of the webhook server): each lookup and change costs a map access,
 * not a pass over a million records (5,000 replies on a million subscribers were billions of comparisons). The
 * lookups are built on first use and kept true by the changes made through the book; it writes into
 * `data.subscribers` in place. A lookup that finds a record changed behind its back builds itself again.
 */
export class SubscriberBook {
  private phones: Map<string, number> | undefined;
  private userIds: Map<string, number> | undefined;
  private emails: Map<string, number> | undefined;
  private sources: Set<string> | undefined;
  /** Positions of the subscribers this book found or added, by id. */
  private readonly positions = new Map<string, number>();
  /** How many subscribers there were when each lookup was built, less what the book added since. */
  private readonly builtAt: Record<Lookup, number> = { phones: -1, userIds: -1, emails: -1 };

  constructor(readonly data: StoreData) {}

  static of(data: StoreData | SubscriberBook): SubscriberBook {
    return data instanceof SubscriberBook ? data : new SubscriberBook(data);
  }

  /** The subscriber this identity is: the one with the number, else the one with the user id. */
  find(who: WhatsAppIdentity): Subscriber | undefined {
    const byPhone = who.phone === undefined ? undefined : this.lookup('phones', who.phone, (s) => s.phone);
    if (byPhone !== undefined) return byPhone;
    return who.userId === undefined ? undefined : this.lookup('userIds', who.userId, (s) => s.whatsappUserId);
  }

  findById(id: SubscriberId): Subscriber | undefined {
    const at = this.positionOf(id);
    return at < 0 ? undefined : this.data.subscribers[at];
  }

  /** Whether a change from this consent source (`whatsapp:<message id>`) is in the store already. */
  hasSource(source: string): boolean {
    this.sources ??= new Set(this.data.subscribers.flatMap((s) => [s.consent.source, ...(s.history ?? []).map((e) => e.source)]));
    return this.sources.has(source);
  }

  /** Another subscriber with this phone or e-mail, if any (findConflict, without a pass over everyone). */
  conflict(contact: { readonly phone?: string; readonly email?: string }, exceptId?: SubscriberId): Subscriber | undefined {
    const byPhone = contact.phone === undefined ? undefined : this.lookup('phones', contact.phone, (s) => s.phone);
    if (byPhone !== undefined && byPhone.id !== exceptId) return byPhone;
    const byEmail = contact.email === undefined ? undefined : this.lookup('emails', emailKey(contact.email), (s) => (s.email === undefined ? undefined : emailKey(s.email)));
    return byEmail !== undefined && byEmail.id !== exceptId ? byEmail : undefined;
  }

  /** Replaces a subscriber by id (replaceSubscriber), checking that a changed phone or e-mail stays unique. */
  replace(next: Subscriber): Subscriber {
    const at = this.positionOf(next.id);
    const before = this.data.subscribers[at];
    if (before === undefined) throw new CanaleError('SUBSCRIBER_NOT_FOUND', `no subscriber has id ${next.id}`);
    const changed = { ...(next.phone !== before.phone ? { phone: next.phone } : {}), ...(next.email !== before.email ? { email: next.email } : {}) };
    const other = this.conflict(changed, next.id);
    if (other !== undefined) {
      const field = changed.phone !== undefined && other.phone === changed.phone ? `phone ${changed.phone}` : `e-mail ${changed.email ?? ''}`;
      throw new CanaleError('SUBSCRIBER_EXISTS', `subscriber ${other.id} already has ${field} — see it with: canale subscribers show ${other.id}`);
    }
    this.data.subscribers[at] = next;
    this.note(next, at, before);
    return next;
  }

  /** Adds a new, active subscriber (addSubscriber), refusing one whose phone or e-mail is already known. */
  add(input: SubscriberInput, meta: { readonly id: SubscriberId; readonly now: string; readonly consent: Consent }): Subscriber {
    if (this.conflict(input) !== undefined) return addSubscriber(this.data, input, meta); // throws, naming the other
    const added = addSubscriber({ ...this.data, subscribers: [] }, input, meta);
    this.data.subscribers.push(added);
    this.note(added, this.data.subscribers.length - 1);
    return added;
  }

  private positionOf(id: string): number {
    const known = this.positions.get(id);
    if (known !== undefined && this.data.subscribers[known]?.id === id) return known;
    const at = this.data.subscribers.findIndex((s) => s.id === id);
    if (at >= 0) this.positions.set(id, at);
    return at;
  }

  private lookup(which: Lookup, key: string, keyOf: (s: Subscriber) => string | undefined): Subscriber | undefined {
    let map = this[which];
    let isFresh = map === undefined;
    map ??= this.build(which, keyOf);
    for (;;) {
      const at = map.get(key);
      const found = at === undefined ? undefined : this.data.subscribers[at];
      if (at !== undefined && found !== undefined && keyOf(found) === key) {
        this.positions.set(found.id, at);
        return found;
      }
      // a miss is true unless records were added or moved behind the book's back since it was built
      const isStale = at !== undefined || this.builtAt[which] !== this.data.subscribers.length;
      if (isFresh || !isStale) return undefined;
      map = this.build(which, keyOf);
      isFresh = true;
    }
  }

  private build(which: Lookup, keyOf: (s: Subscriber) => string | undefined): Map<string, number> {
    const map = new Map<string, number>();
    this.data.subscribers.forEach((s, i) => {
      const k = keyOf(s);
      if (k !== undefined && !map.has(k)) map.set(k, i);
    });
    this[which] = map;
    this.builtAt[which] = this.data.subscribers.length;
    return map;
  }

  private note(next: Subscriber, at: number, before?: Subscriber): void {
    this.positions.set(next.id, at);
    const keys: Array<[Lookup, string | undefined, string | undefined]> = [
      ['phones', before?.phone, next.phone],
      ['userIds', before?.whatsappUserId, next.whatsappUserId],
      ['emails', before?.email === undefined ? undefined : emailKey(before.email), next.email === undefined ? undefined : emailKey(next.email)],
    ];
    for (const [which, old, now] of keys) {
      const map = this[which];
      if (map === undefined) continue;
      if (before === undefined) this.builtAt[which]++;
      if (old === now) continue;
      if (old !== undefined && map.get(old) === at) map.delete(old);
      if (now !== undefined) map.set(now, at);
    }
    for (const source of [next.consent.source, ...(next.history ?? []).map((e) => e.source)]) this.sources?.add(source);
  }
}
