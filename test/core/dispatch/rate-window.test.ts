import { describe, expect, it } from 'vitest';
import { backoffDelay, DEFAULT_RETRY_POLICY } from '../../../src/core/dispatch/backoff.js';
import { RateWindow } from '../../../src/core/dispatch/rate-window.js';
import { FakeScheduler } from '../../support/fake-scheduler.js';

describe('RateWindow', () => {
  it('lets `rate` sends start at once, then one more each time one leaves the last second', async () => {
    const s = new FakeScheduler();
    const window = new RateWindow(3, s, s);
    const starts: number[] = [];
    await s.run(
      (async () => {
        for (let i = 0; i < 7; i++) {
          await window.acquire();
          starts.push(s.ms - Date.parse('2026-11-28T09:00:00.000Z'));
        }
      })(),
    );
    expect(starts).toEqual([0, 0, 0, 1000, 1000, 1000, 2000]);
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
