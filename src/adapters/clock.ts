import { setMaxListeners } from 'node:events';
import type { Sleeper } from '../core/dispatch/rate-window.js';
import type { Clock } from '../core/ports.js';

/** The machine's clock: the one place canale reads the real time. */
export const systemClock: Clock = {
  now: () => new Date(),
};

/** Signals already allowed any number of listeners: every waiting worker of a send listens to the same one. */
const shared = new WeakSet<AbortSignal>();

/** Real waiting, cut short when `signal` aborts. */
export const systemSleeper: Sleeper = {
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      if (signal !== undefined && !shared.has(signal)) {
        setMaxListeners(0, signal);
        shared.add(signal);
      }
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
