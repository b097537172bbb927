import type { Clock } from '../core/ports.js';

/** The machine's clock: the one place canale reads the real time. */
export const systemClock: Clock = {
  now: () => new Date(),
};
