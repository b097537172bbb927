import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../src/adapters/http/rate-limit.js';
import { FakeClock } from '../support/fake-deps.js';

describe('RateLimiter', () => {
  it('takes `limit` requests per window from one address, refuses the rest, and takes them again once the window has slid', () => {
    const clock = new FakeClock(new Date('2026-12-04T10:00:00.000Z'));
    const limiter = new RateLimiter(10, 600_000, clock);
    const taken = Array.from({ length: 100 }, () => limiter.take('203.0.113.7')).filter(Boolean).length;
    expect(taken).toBe(10);
    expect(limiter.take('198.51.100.1')).toBe(true);
    expect(limiter.retryAfter('203.0.113.7')).toBe(600);
    clock.advance(599_999);
    expect(limiter.take('203.0.113.7')).toBe(false);
    clock.advance(1);
    expect(Array.from({ length: 11 }, () => limiter.take('203.0.113.7'))).toEqual([...Array<boolean>(10).fill(true), false]);
  });
});
