import type { Clock } from '../ports.js';

/** Waiting, asked for so tests can run hours of sending in milliseconds with a fake scheduler. */
export interface Sleeper {
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/**
 * A rate limit that holds in every one-second window, not just on average: it remembers the start time of the
 * last `rate` sends and lets a new one start only when fewer than `rate` started in the past second. A token
 * bucket would allow a burst of twice the rate across a window boundary; this does not.
 *
 * The rate adapts: `slowDown()` (a throttling answer) halves it — once per second at most, since the answers to
 * requests already in flight report the same excess — never below a tenth of the configured rate (a provider that
 * keeps throttling below that is met by each recipient's backoff, then a pause); every `recoverAfterMs` without
 * throttling it grows by a quarter, never above the configured rate.
 */
export class RateWindow {
  private readonly starts: number[] = [];
  private current: number;
  private lastThrottle = -Infinity;
  private lastRecovery = -Infinity;

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
      while (this.starts.length > 0 && (this.starts[0] as number) <= now - 1000) this.starts.shift();
      const allowed = Math.max(1, Math.floor(this.current));
      if (this.starts.length < allowed) {
        this.starts.push(now);
        return;
      }
      const oldest = this.starts[this.starts.length - allowed] as number;
      await this.sleeper.sleep(Math.max(1, oldest + 1000 - now), signal);
      if (signal?.aborted) return;
    }
  }

  /** The provider said "too fast": halve the rate, unless it was halved less than a second ago. */
  slowDown(): void {
    const now = this.clock.now().getTime();
    if (now - this.lastThrottle >= 1000) this.current = Math.max(1, this.limit / 10, this.current / 2);
    this.lastThrottle = now;
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
