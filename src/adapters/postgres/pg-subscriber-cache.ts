import type { Subscriber } from '../../core/subscriber.js';
import type { Template } from '../../core/template.js';
import type { Topic } from '../../core/topic.js';
import type { SubscriberBase } from '../store/indexed-transaction.js';
import { forEachKey, type IndexKind } from '../store/store-index.js';

/** Thrown through a transaction's work when it asks for everyone (`scan`) before the store has read everyone. */
export class EveryoneNeeded extends Error {
  constructor() {
    super('the transaction scans every subscriber: the store reads them all and runs it again');
  }
}

const NOBODY: readonly Subscriber[] = Object.freeze([]);

const byKind = <T>(make: () => T): Record<IndexKind, T> => ({ i: make(), p: make(), e: make(), u: make(), s: make() });

/**
 * What one database transaction has read of the subscribers, under the advisory lock (so nobody changes them
 * meanwhile): the records fetched by key or all of them, found by every key they hold (forEachKey), and the keys
 * whose absence is known. A transaction's work reads it synchronously (IndexedTransaction over it). A key neither
 * fetched nor held by a fetched record is a miss: it is answered as absent and noted (as `kind + value`), and the
 * store then fetches the misses and keeps the work's outcome only if every such answer was right (nothing was
 * found), else runs it again.
 */
export class PgSubscriberCache implements SubscriberBase {
  private readonly byId = new Map<string, Subscriber>();
  /** Key → its holder; a consent source (`s`, which several may share) → its holders. Ids are looked up in byId. */
  private readonly holders = byKind(() => new Map<string, Subscriber | Subscriber[]>());
  /**
   * Whether each kind's holders are mapped: always for records fetched by key; for everyone, a kind is mapped when
   * first looked up (a transaction that only scans and replaces maps no phone, e-mail or user id of a million).
   */
  private isMapped = byKind(() => true);
  private readonly known = byKind(() => new Set<string>());
  private misses = new Set<string>();
  private isEveryone = false;
  private isEveryoneWanted = false;

  constructor(
    readonly topics: readonly Topic[],
    private readonly synced: readonly Template[],
  ) {}

  /** Every subscriber is here: no lookup can miss. */
  get hasEveryone(): boolean {
    return this.isEveryone;
  }

  /** How many subscribers were fetched (with hasEveryone: how many the store holds). */
  get size(): number {
    return this.byId.size;
  }

  /** A record of the store, fetched. */
  add(record: Subscriber): void {
    // fetched again (by another of its keys): the same record, nobody writes meanwhile
    if (this.byId.has(record.id)) return;
    this.byId.set(record.id, record);
    this.mapKeys(record, this.isMapped);
  }

  private mapKeys(record: Subscriber, kinds: Readonly<Record<IndexKind, boolean>>): void {
    if (!kinds.p && !kinds.e && !kinds.u && !kinds.s) return;
    forEachKey(record, (kind, value) => {
      if (kind === 'i' || !kinds[kind]) return;
      const holders = this.holders[kind];
      if (kind !== 's') holders.set(value, record);
      else {
        const held = holders.get(value);
        if (held === undefined) holders.set(value, [record]);
        else if (Array.isArray(held)) held.push(record);
      }
    });
  }

  /** These keys (`kind + value`) were fetched: a record that holds one is here. */
  know(keys: Iterable<string>): void {
    for (const key of keys) this.known[key.charAt(0) as IndexKind]?.add(key.slice(1));
  }

  /** Everyone is about to be fetched again, in the store's order: their keys are mapped when first looked up. */
  clear(): void {
    this.byId.clear();
    for (const kind of Object.values(this.holders)) kind.clear();
    this.isMapped = byKind(() => false);
  }

  /** Everyone has been fetched (after clear), in the store's order. */
  markEveryone(): void {
    this.isEveryone = true;
    for (const kind of Object.values(this.known)) kind.clear();
  }

  /** The record the store holds with this id, if fetched. */
  record(id: string): Subscriber | undefined {
    return this.byId.get(id);
  }

  /** The keys the last run missed, and whether it wanted everyone; both are forgotten for the next run. */
  takeMisses(): { readonly keys: ReadonlySet<string>; readonly everyone: boolean } {
    const taken = { keys: this.misses, everyone: this.isEveryoneWanted && !this.isEveryone };
    this.misses = new Set();
    this.isEveryoneWanted = false;
    return taken;
  }

  lookup(kind: IndexKind, value: string): Iterable<Subscriber> {
    if (!this.isMapped[kind]) this.mapKind(kind);
    const held = kind === 'i' ? this.byId.get(value) : this.holders[kind].get(value);
    // a unique key held by a fetched record is that record's; a source may have other holders not fetched
    if (!this.isEveryone && (held === undefined || kind === 's') && !this.known[kind].has(value)) this.misses.add(`${kind}${value}`);
    return held === undefined ? NOBODY : Array.isArray(held) ? held : [held];
  }

  private mapKind(kind: IndexKind): void {
    const only = { ...byKind(() => false), [kind]: true };
    for (const record of this.byId.values()) this.mapKeys(record, only);
    this.isMapped = { ...this.isMapped, [kind]: true };
  }

  scan(visit: (record: Subscriber) => void): void {
    if (!this.isEveryone) {
      // remembered as well as thrown: work that catches errors cannot hide that it saw only some
      this.isEveryoneWanted = true;
      throw new EveryoneNeeded();
    }
    for (const record of this.byId.values()) visit(record);
  }

  templates(): readonly Template[] {
    return this.synced;
  }
}
