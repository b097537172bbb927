import type { Subscriber } from '../../core/subscriber.js';
import type { Template } from '../../core/template.js';
import type { SubscriberBase } from './indexed-transaction.js';
import type { IndexKind, StoreIndex } from './store-index.js';
import { parseRecordLine, scanLayoutSync } from './store-layout.js';
import { STORE_VERSION, subscriberValidator, validateStore } from './store-schema.js';

/**
 * db.json as its index finds it, for a transaction (IndexedTransaction): a lookup is a few positioned reads, a pass
 * over everyone reads the file once. Every record read is checked (STORE_DAMAGED, never overwritten).
 */
export class IndexedFile implements SubscriberBase {
  private readonly isSubscriber: (record: unknown, index: number) => record is Subscriber;

  constructor(
    private readonly path: string,
    private readonly index: StoreIndex,
  ) {
    this.isSubscriber = subscriberValidator(path);
  }

  *lookup(kind: IndexKind, value: string): Iterable<Subscriber> {
    for (const offset of this.index.lookup(`${kind}${value}`)) {
      const record = parseRecordLine(this.index.line(offset));
      if (record !== undefined && this.isSubscriber(record, 0)) yield record;
    }
  }

  scan(visit: (record: Subscriber) => void): void {
    let n = 0;
    scanLayoutSync(this.index.dbDescriptor, (record) => {
      if (this.isSubscriber(record, n++)) visit(record);
    });
  }

  templates(): readonly Template[] {
    const json = JSON.parse(`{"version":${STORE_VERSION},"topics":[],"subscribers":[],${this.index.tail(this.index.templatesAt)}`) as unknown;
    return validateStore(json, this.path).templates;
  }
}
