import type { BookHints, ScanCount, SubscriberKey, SubscriberStore, SubscriberTransaction, SubscriberVisitor, Survey } from '../../core/ports.js';
import { emptyStore, type StoreData } from '../../core/store-data.js';
import { SubscriberBook } from '../../core/subscriber-book.js';
import type { E164 } from '../../core/phone.js';
import type { Subscriber } from '../../core/subscriber.js';
import { matchSubscriber, type SubscriberFilter } from '../../core/subscriber-filter.js';
import type { Template } from '../../core/template.js';
import type { Topic } from '../../core/topic.js';
import { surveyByScan } from './survey.js';

/**
 * The SubscriberStore port in memory, for tests and for runs that need no home: the same promises as the JSON store,
 * held to the same contract suite. Transactions are serialised and work on a copy of the lists (records are never
 * changed in place, only replaced) that becomes the store only when `work` returns, so one that throws leaves
 * nothing behind. What it hands out are copies: a caller cannot change the store by accident.
 */
export class MemorySubscriberStore implements SubscriberStore {
  private data: StoreData;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(initial: StoreData = emptyStore()) {
    this.data = structuredClone(initial);
  }

  async find(key: SubscriberKey): Promise<Subscriber | undefined> {
    const book = new SubscriberBook(this.data);
    const found =
      'id' in key ? book.findById(key.id) : 'phone' in key ? book.find({ phone: key.phone as E164 }) : 'email' in key ? book.findByEmail(key.email) : book.find({ userId: key.userId });
    return found === undefined ? undefined : structuredClone(found);
  }

  async scan(filter: SubscriberFilter | undefined, visitor: SubscriberVisitor): Promise<ScanCount> {
    const matches = filter === undefined ? () => true : matchSubscriber(filter);
    const subscribers = this.data.subscribers;
    let matched = 0;
    subscribers.forEach((s, i) => {
      if (!matches(s)) return;
      matched++;
      visitor(structuredClone(s), i);
    });
    return { total: subscribers.length, matched };
  }

  survey(filter: SubscriberFilter | undefined, visitor: SubscriberVisitor): Promise<Survey> {
    return surveyByScan((visit) => this.scan(undefined, visit), filter, visitor);
  }

  async count(filter?: SubscriberFilter): Promise<number> {
    const matches = filter === undefined ? () => true : matchSubscriber(filter);
    return this.data.subscribers.filter(matches).length;
  }

  async topics(): Promise<Topic[]> {
    return structuredClone(this.data.topics);
  }

  async templates(): Promise<Template[]> {
    return structuredClone(this.data.templates);
  }

  transaction<T>(hints: BookHints, work: (tx: SubscriberTransaction) => T): Promise<T> {
    const next = this.queue.then(() => {
      const working: StoreData = { ...this.data, subscribers: [...this.data.subscribers], topics: [...this.data.topics], templates: [...this.data.templates] };
      const result = work(new SubscriberBook(working, hints));
      this.data = structuredClone(working);
      return result;
    });
    this.queue = next.catch(() => undefined);
    return next;
  }
}
