import type { Sleeper } from '../core/dispatch/rate-window.js';
import type { Clock } from '../core/ports.js';

/** The machine's clock: the one place canale reads the real time. */
export const systemClock: Clock = {
  now: () => new Date(),
};

/** Real waiting, cut short when `signal` aborts. */
export const systemSleeper: Sleeper = {
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      }
      signal?.addEventListener('abort', done, { once: true });
    }),
};

/** Jitter for retries. */
export const systemRandom = (): number => Math.random();
