import { KeyIndex } from './key-index.js';
import type { SubscriberId } from './subscriber.js';

/**
 * Who a transaction over a list of subscribers (SubscriberBook) added or replaced, in the order first changed,
 * without a lookup per change: those added are appended to the list, so a replace from their place on is of
 * someone already counted; only the replaced are kept in a key index (an import's million inserts need none).
 */
export class ChangeOrder {
  private ids: SubscriberId[] = [];
  private readonly replacedIds = new KeyIndex();

  /** `addedFrom`: how many the list held before; everyone from that place on is added through the transaction. */
  constructor(private addedFrom: number) {}

  added(id: SubscriberId): void {
    this.ids.push(id);
  }

  /** `id`, at place `at` of the list, was replaced. */
  replaced(id: SubscriberId, at: number): void {
    if (at >= this.addedFrom || this.replacedIds.get(id) !== -1) return;
    this.replacedIds.set(id, 0);
    this.ids.push(id);
  }

  /** `id` was removed from place `at`: those after it moved up one. */
  removed(id: SubscriberId | string, at: number): void {
    if (at < this.addedFrom) this.addedFrom--;
    this.ids = this.ids.filter((changed) => changed !== id);
    this.replacedIds.delete(id);
  }

  /** The ids, in the order first changed. */
  list(): readonly SubscriberId[] {
    return this.ids;
  }
}
