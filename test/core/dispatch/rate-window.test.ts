import { describe, expect, it } from 'vitest';
import { backoffDelay, DEFAULT_RETRY_POLICY } from '../../../src/core/dispatch/backoff.js';
import { RateWindow } from '../../../src/core/dispatch/rate-window.js';
import { FakeScheduler } from '../../support/fake-scheduler.js';

describe('RateWindow', () => {
  it('spreads sends evenly, one every 1/rate s, never a second\'s worth at once', async () => {
    const s = new FakeScheduler();
    const window = new RateWindow(4, s, s);
    const starts: number[] = [];
    await s.run(
      Promise.all(
        Array.from({ length: 3 }, async () => {
          for (let i = 0; i < 3; i++) {
            await window.acquire();
            starts.push(s.ms - Date.parse('2026-11-28T09:00:00.000Z'));
          }
        }),
      ),
    );
    starts.sort((a, b) => a - b);
    const gaps = starts.slice(1).map((t, i) => t - (starts[i] as number));
    // one every 1.02 s / 4, give or take the 2 ms a send may be early and the 5 ms a late one makes up
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(248);
    for (const gap of gaps) expect(gap).toBeLessThanOrEqual(262);
    expect(starts.at(-1)).toBeLessThan(2060);
    // and never more than 4 starts in any 1.02 s
    for (let i = 4; i < starts.length; i++) expect((starts[i] as number) - (starts[i - 4] as number)).toBeGreaterThanOrEqual(1020);
  });

  it('at thousands a second, with a millisecond clock, still reaches the rate', async () => {
    const s = new FakeScheduler();
    const window = new RateWindow(5000, s, s);
    let count = 0;
    await s.run(
      Promise.all(
        Array.from({ length: 50 }, async () => {
          while (s.ms - Date.parse('2026-11-28T09:00:00.000Z') < 2000) {
            await window.acquire();
            count++;
          }
        }),
      ),
    );
    expect(count).toBeGreaterThan(9_500);
    expect(count).toBeLessThanOrEqual(10_050);
  });

  it('halves the rate on throttling, once a second at most, never below a tenth of the limit', async () => {
    const s = new FakeScheduler();
    const window = new RateWindow(80, s, s);
    const rates: number[] = [];
    await s.run(
      (async () => {
        for (let i = 0; i < 6; i++) {
          window.slowDown();
          rates.push(window.rate);
          window.slowDown(); // an answer to a request that was already in flight: the same excess
          rates.push(window.rate);
          await s.sleep(1_000);
        }
      })(),
    );
    expect(rates).toEqual([40, 40, 20, 20, 10, 10, 8, 8, 8, 8, 8, 8]);
  });

  it('recovers by a quarter every 5 s without throttling, never above the limit', async () => {
    const s = new FakeScheduler();
    const window = new RateWindow(80, s, s);
    window.slowDown();
    expect(window.rate).toBe(40);
    await s.run(s.sleep(1_000));
    window.slowDown();
    expect(window.rate).toBe(20);
    const rates: number[] = [];
    await s.run(
      (async () => {
        for (let i = 0; i < 12; i++) {
          await s.sleep(5_000);
          await window.acquire();
          rates.push(Math.round(window.rate));
        }
      })(),
    );
    expect(rates).toEqual([25, 31, 39, 49, 61, 76, 80, 80, 80, 80, 80, 80]);
  });
});

describe('backoffDelay', () => {
  it.each([
    [1, 0, 250],
    [1, 0.999, 500],
    [2, 0.5, 750],
    [4, 0.5, 3000],
    [20, 0.5, 22500],
  ])('attempt %i with random %d waits %i ms', (attempt, random, ms) => {
    expect(backoffDelay(attempt, DEFAULT_RETRY_POLICY, () => random)).toBe(ms);
  });

  it('waits at least what the provider asked', () => {
    expect(backoffDelay(1, DEFAULT_RETRY_POLICY, () => 0, 10_000)).toBe(10_000);
  });
});
