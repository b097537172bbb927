import type { Store, StoreScan, SubscriberVisitor } from '../../core/ports.js';
import { emptyStore, type StoreData } from '../../core/store-data.js';
import { SubscriberBook, type BookHints } from '../../core/subscriber-book.js';
import type { Subscriber } from '../../core/subscriber.js';
import type { Topic } from '../../core/topic.js';

/**
 * The Store port in memory, for tests and for runs that need no home: the same promises as the JSON store, held to
 * the same contract suite (test/adapters/store-contract.test.ts). Writes are serialised; `update` works on a copy
 * that replaces the data only when the change returns, and `change` keeps only what went through its book, so a
 * change that throws leaves nothing behind. Reads hand out copies: a caller cannot change the store by accident.
 */
export class MemoryStore implements Store {
  private data: StoreData;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(initial: StoreData = emptyStore()) {
    this.data = structuredClone(initial);
  }

  async read(): Promise<StoreData> {
    return structuredClone(this.data);
  }

  async topics(): Promise<Topic[]> {
    return structuredClone(this.data.topics);
  }

  async scan(begin: () => SubscriberVisitor): Promise<StoreScan> {
    const visit = begin();
    const { subscribers, ...rest } = structuredClone(this.data);
    subscribers.forEach((s, i) => visit(s, i));
    return { ...rest, subscriberCount: subscribers.length };
  }

  update<T>(change: (data: StoreData) => T): Promise<T> {
    return this.serialised(() => {
      const copy = structuredClone(this.data);
      const result = change(copy);
      this.data = copy;
      return result;
    });
  }

  change<T>(hints: BookHints, change: (book: SubscriberBook) => T): Promise<T> {
    return this.serialised(() => {
      const working: StoreData = { ...this.data, subscribers: [...this.data.subscribers], topics: Object.freeze([...this.data.topics]) as Topic[], templates: Object.freeze([...this.data.templates]) as StoreData['templates'] };
      const book = new SubscriberBook(working, hints);
      const result = change(book);
      const at = new Map(this.data.subscribers.map((s, i) => [s.id, i]));
      for (const s of structuredClone(book.changed()) as Subscriber[]) {
        const i = at.get(s.id);
        if (i === undefined) this.data.subscribers.push(s);
        else this.data.subscribers[i] = s;
      }
      return result;
    });
  }

  private serialised<T>(write: () => T): Promise<T> {
    const next = this.queue.then(write);
    this.queue = next.catch(() => undefined);
    return next;
  }
}
