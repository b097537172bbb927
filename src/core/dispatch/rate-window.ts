import type { Throttling } from '../campaign.js';
import type { Clock } from '../ports.js';

/** Waiting, asked for so tests can run hours of sending in milliseconds with a fake scheduler. */
export interface Sleeper {
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** How far ahead of its even slot a send may start: enough for a millisecond clock at thousands a second. */
const TOLERANCE_MS = 2;
/**
 * The window counted is this much longer than a second: requests reach the provider with some milliseconds of
 * jitter, so `rate` sends that started within a second and a little must not arrive within one second. It costs
 * 2% of the rate.
 */
const WINDOW_MS = 1020;
/** How much of a late send's delay the schedule makes up. */
const CATCH_UP_MS = 5;

/**
 * A rate limit that holds in every one-second window, not just on average: it remembers the start time of the
 * last `rate` sends and lets a new one start only when fewer than `rate` started in the past second. A token
 * bucket would allow a burst of twice the rate across a window boundary; this does not. Sends are also spread
 * evenly (one every 1/rate s, as GCRA schedules them), so a second's worth never leaves at once when the window
 * frees up: a burst would reach the provider bunched up by the network and count over the rate on its side.
 *
 * The rate adapts: `slowDown()` (a throttling answer) halves it — once per second at most, since the answers to
 * requests already in flight report the same excess — never below a tenth of the configured rate (a provider that
 * keeps throttling below that is met by each recipient's backoff, then a pause); every `recoverAfterMs` without
 * throttling it grows by a quarter, never above the configured rate.
 */
export class RateWindow {
  private readonly starts: number[] = [];
  /** When the next send is due on the even schedule (GCRA's theoretical arrival time). */
  private due = -Infinity;
  private current: number;
  private lastThrottle = -Infinity;
  private lastRecovery = -Infinity;
  private met = { answers: 0, slowdowns: 0, lowestRate: Infinity };

  constructor(
    private readonly limit: number,
    private readonly clock: Clock,
    private readonly sleeper: Sleeper,
    private readonly recoverAfterMs = 5_000,
  ) {
    this.current = limit;
  }

  /** The rate allowed now (messages per second). */
  get rate(): number {
    return this.current;
  }

  /** Waits until one more send may start, and records it. */
  async acquire(signal?: AbortSignal): Promise<void> {
    for (;;) {
      const now = this.clock.now().getTime();
      this.recover(now);
      while (this.starts.length > 0 && (this.starts[0] as number) <= now - WINDOW_MS) this.starts.shift();
      const allowed = Math.max(1, Math.floor(this.current));
      const windowWait = this.starts.length < allowed ? 0 : (this.starts[this.starts.length - allowed] as number) + WINDOW_MS - now;
      const wait = Math.max(windowWait, this.due - TOLERANCE_MS - now);
      if (wait <= 0) {
        this.starts.push(now);
        const interval = WINDOW_MS / this.current;
        // a send a few milliseconds late (a busy event loop) keeps the schedule, so lateness does not add up to a
        // lower rate; one much later (the window was full, or nothing to send) starts a new schedule
        this.due = Math.max(this.due, now - Math.min(CATCH_UP_MS, interval / 2)) + interval;
        return;
      }
      await this.sleeper.sleep(Math.max(1, wait), signal);
      if (signal?.aborted) return;
    }
  }

  /** The provider said "too fast": halve the rate, unless it was halved less than a second ago. */
  slowDown(): void {
    const now = this.clock.now().getTime();
    this.met.answers++;
    if (now - this.lastThrottle >= 1000) {
      const halved = Math.max(1, this.limit / 10, this.current / 2);
      if (halved < this.current) this.met.slowdowns++;
      this.current = halved;
      this.met.lowestRate = Math.min(this.met.lowestRate, halved);
    }
    this.lastThrottle = now;
  }

  /** What throttling did here so far: the answers, the times the rate was halved, the lowest rate (whole messages a second). */
  get throttling(): Throttling {
    return { answers: this.met.answers, slowdowns: this.met.slowdowns, lowestRate: Number.isFinite(this.met.lowestRate) ? Math.floor(this.met.lowestRate) : this.limit };
  }

  private recover(now: number): void {
    if (this.current >= this.limit) return;
    const since = Math.max(this.lastThrottle, this.lastRecovery);
    if (now - since >= this.recoverAfterMs) {
      this.current = Math.min(this.limit, this.current * 1.25);
      this.lastRecovery = now;
    }
  }
}
