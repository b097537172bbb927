import type { Sleeper } from '../../src/core/dispatch/rate-window.js';
import type { Clock } from '../../src/core/ports.js';

interface Timer {
  readonly at: number;
  readonly seq: number;
  readonly resolve: () => void;
}

/**
 * A clock and a sleeper for discrete-event tests: time stands still until every pending promise has settled,
 * then jumps to the earliest sleeper's wake-up. An hour of sending runs in milliseconds, deterministically.
 */
export class FakeScheduler implements Clock, Sleeper {
  private current: number;
  private timers: Timer[] = [];
  private seq = 0;

  constructor(start = Date.parse('2026-11-28T09:00:00.000Z')) {
    this.current = start;
  }

  now(): Date {
    return new Date(this.current);
  }

  get ms(): number {
    return this.current;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const timer: Timer = { at: this.current + Math.max(0, ms), seq: this.seq++, resolve };
      this.timers.push(timer);
      signal?.addEventListener(
        'abort',
        () => {
          this.timers = this.timers.filter((t) => t !== timer);
          resolve();
        },
        { once: true },
      );
    });
  }

  /** Runs `work` to the end, advancing fake time whenever nothing else can happen. */
  async run<T>(work: Promise<T>): Promise<T> {
    let settled = false;
    const done = work.finally(() => {
      settled = true;
    });
    for (;;) {
      await new Promise<void>((r) => setImmediate(r));
      if (settled) return done;
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.timers.shift();
      if (next === undefined) throw new Error('deadlock: the work is waiting on something that is not a fake timer');
      this.current = Math.max(this.current, next.at);
      next.resolve();
    }
  }
}
