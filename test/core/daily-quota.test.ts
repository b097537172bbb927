import { describe, expect, it } from 'vitest';
import { DAY_MS, quotaAt, splitByQuota } from '../../src/core/daily-quota.js';

const now = new Date('2026-11-28T10:00:00Z');
const hoursAgo = (h: number) => now.getTime() - h * 3_600_000;

describe('the daily WhatsApp tier', () => {
  it('counts the citizens messaged in the last 24 hours, not those before', () => {
    const recent = new Map([['a', hoursAgo(1)], ['b', hoursAgo(23.9)], ['c', hoursAgo(24)], ['d', hoursAgo(30)]]);
    expect(quotaAt(250, recent, now)).toEqual({ used: 2, remaining: 248 });
    expect(quotaAt(1, recent, now)).toEqual({ used: 2, remaining: 0 });
  });

  it('sends what fits now; citizens already in the window cost nothing', () => {
    const recent = new Map([['a', hoursAgo(2)], ['b', hoursAgo(20)]]);
    const items = ['a', 'x', 'y', 'b', 'z', 'w'];
    const split = splitByQuota(items, (k) => k, 4, recent, now);
    expect(split.now).toEqual(['a', 'x', 'y', 'b']);
    expect(split.later).toEqual(['z', 'w']);
    // two places needed: 'b' frees at -20h+24h = +4h, 'a' at +22h
    expect(split.freesAt?.toISOString()).toBe(new Date(hoursAgo(2) + DAY_MS + 60_000).toISOString());
  });

  it('a rest larger than the tier waits for the whole tier to free: a day after this send', () => {
    const items = Array.from({ length: 25 }, (_, i) => `s${i}`);
    const split = splitByQuota(items, (k) => k, 10, new Map(), now);
    expect(split.now).toHaveLength(10);
    expect(split.later).toHaveLength(15);
    expect(split.freesAt?.getTime()).toBe(now.getTime() + DAY_MS + 60_000);
  });

  it('a citizen on two channels or twice in the list takes one place', () => {
    const split = splitByQuota(['a', 'a', 'b', 'c'], (k) => k, 2, new Map(), now);
    expect(split.now).toEqual(['a', 'a', 'b']);
    expect(split.later).toEqual(['c']);
  });

  it('everything fits: no rest and no time', () => {
    expect(splitByQuota(['a', 'b'], (k) => k, 10, new Map(), now)).toEqual({ now: ['a', 'b'], later: [] });
  });

  it('a full tier sends nobody new now', () => {
    const recent = new Map(Array.from({ length: 5 }, (_, i) => [`o${i}`, hoursAgo(i + 1)] as const));
    const split = splitByQuota(['n1', 'n2'], (k) => k, 5, recent, now);
    expect(split.now).toEqual([]);
    // two places: the two oldest (5 h and 4 h ago) free at +19 h and +20 h
    expect(split.freesAt?.getTime()).toBe(hoursAgo(4) + DAY_MS + 60_000);
  });
});
