import type { Clock } from '../../core/ports.js';

/** How many addresses are remembered at most: beyond, those quiet the longest are forgotten first. */
const MAX_KEYS = 50_000;

/**
 * A per-address limit on what the public pages accept (the sign-up form's posts): at most `limit` in any `windowMs`
 * (a sliding window of the times of the last requests). In memory: a restart forgets it, which costs a bot one window.
 */
export class RateLimiter {
  private readonly seen = new Map<string, number[]>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly clock: Clock,
  ) {}

  /** Counts a request from `key`; false (and not counted) when `key` already had `limit` in the window. */
  take(key: string): boolean {
    const now = this.clock.now().getTime();
    const recent = (this.seen.get(key) ?? []).filter((t) => t > now - this.windowMs);
    if (recent.length >= this.limit) {
      this.seen.set(key, recent);
      return false;
    }
    recent.push(now);
    // re-inserted last: the map's first keys are those quiet the longest
    this.seen.delete(key);
    this.seen.set(key, recent);
    if (this.seen.size > MAX_KEYS) this.seen.delete(this.seen.keys().next().value as string);
    return true;
  }

  /** Seconds until `key` may post again (for Retry-After). */
  retryAfter(key: string): number {
    const oldest = (this.seen.get(key) ?? [])[0];
    return oldest === undefined ? 0 : Math.max(1, Math.ceil((oldest + this.windowMs - this.clock.now().getTime()) / 1000));
  }
}
