import type { BookHints, ScanCount, SubscriberKey, SubscriberStore, SubscriberTransaction, SubscriberVisitor } from '../../core/ports.js';
import { SubscriberBook } from '../../core/subscriber-book.js';
import type { Subscriber } from '../../core/subscriber.js';
import { matchSubscriber, type SubscriberFilter } from '../../core/subscriber-filter.js';
import type { Template } from '../../core/template.js';
import type { Topic } from '../../core/topic.js';
import { JsonFileStore, type JsonFileStoreOptions } from './json-file-store.js';
import { MemorySubscriberStore } from './memory-subscriber-store.js';

/**
 * TEMPORARY bridge while the commands move to the SubscriberStore port: the port over the whole-document
 * JsonFileStore (every transaction rewrites db.json). Replaced by the indexed JSON store.
 */
export class DocumentSubscriberStore implements SubscriberStore {
  private readonly store: JsonFileStore;

  constructor(path: string, options: JsonFileStoreOptions = {}) {
    this.store = new JsonFileStore(path, options);
  }

  async find(key: SubscriberKey): Promise<Subscriber | undefined> {
    return new MemorySubscriberStore(await this.store.read()).find(key);
  }

  async scan(filter: SubscriberFilter | undefined, visitor: SubscriberVisitor): Promise<ScanCount> {
    const matches = filter === undefined ? () => true : matchSubscriber(filter);
    let matched = 0;
    // a hand-edited file read again from its start gives the same subscribers again: those already seen are skipped
    let seen = 0;
    const { subscriberCount } = await this.store.scan(() => (s, i) => {
      if (i < seen) return;
      seen = i + 1;
      if (!matches(s)) return;
      matched++;
      visitor(s, i);
    });
    return { total: subscriberCount, matched };
  }

  async count(filter?: SubscriberFilter): Promise<number> {
    return (await this.scan(filter, () => undefined)).matched;
  }

  topics(): Promise<Topic[]> {
    return this.store.topics();
  }

  async templates(): Promise<Template[]> {
    return (await this.store.read()).templates;
  }

  transaction<T>(hints: BookHints, work: (tx: SubscriberTransaction) => T): Promise<T> {
    return this.store.update((data) => work(new SubscriberBook(data, hints)));
  }
}
