import type { OptOutWatch } from '../../core/ports.js';
import type { Subscriber } from '../../core/subscriber.js';
import { OptOutsLeft } from '../optout/optout-feed.js';
import { feedChannel, type PgFeed } from './pg-event-feed.js';
import type { PgWakeups } from './pg-event-wakeups.js';
import { SerialReads } from './pg-serial-reads.js';

/** How often a watch reads the feed when no notification came (the JSON feed's half second). */
const POLL_MS = 500;
/** How much of the feed one read takes: a watch from an old mark reads it in parts. */
const READ_BYTES = 1024 * 1024;

/**
 * The opt-outs appended to `canale_optouts` since a mark, as a running send needs them: read whole when it starts,
 * then again at each notification of an append (on any machine) and every half second, into OptOutsLeft in memory
 * (as the JSON feed's watch does). Reads never overlap; one that fails is tried again at the next wake-up.
 */
export class PgOptOutWatch implements OptOutWatch {
  private readonly left = new OptOutsLeft();
  private readonly reads = new SerialReads(() => this.readNew());
  private timer: ReturnType<typeof setInterval> | undefined;
  private stopHearing: () => void = () => undefined;

  private constructor(
    private readonly feed: PgFeed,
    private next: number,
    private readonly onClose: () => void,
  ) {}

  /** Listens first, then reads from the mark: an append committed in between is either read or heard (or polled). */
  static async start(feed: PgFeed, wakeups: PgWakeups, from: number, onClose: (watch: PgOptOutWatch) => void): Promise<PgOptOutWatch> {
    const watch: PgOptOutWatch = new PgOptOutWatch(feed, Math.max(0, from), () => onClose(watch));
    watch.stopHearing = await wakeups.on(feedChannel(feed.feed), () => watch.wake());
    try {
      await watch.readNew();
    } catch (error) {
      watch.stopHearing();
      throw error;
    }
    watch.timer = setInterval(() => watch.wake(), POLL_MS);
    watch.timer.unref();
    return watch;
  }

  hasLeft(subscriber: Pick<Subscriber, 'id' | 'phone' | 'email' | 'whatsappUserId'>, topics: readonly string[], isMarketing = false): boolean {
    return this.left.hasLeft(subscriber, topics, isMarketing);
  }

  /** Reads what was appended since the last read (now, or right after the read under way). */
  wake(): void {
    this.reads.wake();
  }

  async close(): Promise<void> {
    const reads = this.reads.close();
    clearInterval(this.timer);
    this.stopHearing();
    await reads;
    this.onClose();
  }

  private async readNew(): Promise<void> {
    for (;;) {
      const { entries, end, size } = await this.feed.readFrom(this.next, READ_BYTES);
      for (const entry of entries) this.left.note(entry.text);
      const isFurther = end > this.next;
      this.next = end;
      if (!isFurther || end >= size) return;
    }
  }
}
