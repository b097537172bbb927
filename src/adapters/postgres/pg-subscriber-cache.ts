import type { Subscriber } from '../../core/subscriber.js';
import type { Template } from '../../core/template.js';
import type { Topic } from '../../core/topic.js';
import type { SubscriberBase } from '../store/indexed-transaction.js';
import { keysOf } from '../store/store-index.js';

/** Thrown through a transaction's work when it asks for everyone (`scan`) before the store has read everyone. */
export class EveryoneNeeded extends Error {
  constructor() {
    super('the transaction scans every subscriber: the store reads them all and runs it again');
  }
}

/**
 * What one database transaction has read of the subscribers, under the advisory lock (so nobody changes them
 * meanwhile): the records fetched by key or all of them, found by every key they hold (keysOf), and the keys whose
 * absence is known. A transaction's work reads it synchronously (IndexedTransaction over it). A key neither fetched
 * nor held by a fetched record is a miss: it is answered as absent and noted, and the store then fetches the misses
 * and keeps the work's outcome only if every such answer was right (nothing was found), else runs it again.
 */
export class PgSubscriberCache implements SubscriberBase {
  private readonly byId = new Map<string, Subscriber>();
  /** Key → its holder; a consent source (`s…`, which several may share) → its holders. */
  private readonly holders = new Map<string, Subscriber | Subscriber[]>();
  private readonly known = new Set<string>();
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

  /** A record of the store, fetched. */
  add(record: Subscriber): void {
    // fetched again (by another of its keys): the same record, nobody writes meanwhile
    if (this.byId.has(record.id)) return;
    this.byId.set(record.id, record);
    for (const key of keysOf(record)) {
      if (key.startsWith('s')) {
        const held = this.holders.get(key);
        if (held === undefined) this.holders.set(key, [record]);
        else if (Array.isArray(held)) held.push(record);
      } else this.holders.set(key, record);
    }
  }

  /** These keys were fetched: a record that holds one is here. */
  know(keys: Iterable<string>): void {
    for (const key of keys) this.known.add(key);
  }

  /** Everyone is about to be fetched again, in the store's order. */
  clear(): void {
    this.byId.clear();
    this.holders.clear();
  }

  /** Everyone has been fetched (after clear), in the store's order. */
  markEveryone(): void {
    this.isEveryone = true;
    this.known.clear();
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

  lookup(key: string): Iterable<Subscriber> {
    const held = this.holders.get(key);
    // a unique key held by a fetched record is that record's; a source may have other holders not fetched
    if (!this.isEveryone && !this.known.has(key) && (held === undefined || key.startsWith('s'))) this.misses.add(key);
    return held === undefined ? [] : Array.isArray(held) ? held : [held];
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
