/**
 * An append-only list that readers follow, in memory: what a file of lines others append to is in the home (the
 * dropped list, account trouble, the opt-out feed). A follower hears every item from its start at once, then each
 * new one as it is appended (synchronously), until it stops.
 */
export class MemoryFeed<T> {
  private readonly items: T[] = [];
  private readonly followers = new Set<(item: T) => void>();

  /** Where the feed ends now: a follower that starts here hears only what comes after. */
  get end(): number {
    return this.items.length;
  }

  get all(): readonly T[] {
    return this.items;
  }

  append(...items: readonly T[]): void {
    for (const item of items) {
      this.items.push(item);
      for (const follower of this.followers) follower(item);
    }
  }

  /** Replaces the items that `change` rewrites (erasure); followers hear nothing of it. */
  rewrite(change: (item: T) => T): void {
    this.items.forEach((item, i) => {
      this.items[i] = change(item);
    });
  }

  /** Hands `onItem` the items from `from` on, then each new one; returns how to stop. */
  follow(from: number, onItem: (item: T) => void): () => void {
    this.items.slice(Math.max(0, from)).forEach(onItem);
    this.followers.add(onItem);
    return () => {
      this.followers.delete(onItem);
    };
  }
}
