/** How failures are retried. */
export interface RetryPolicy {
  /** Attempts per recipient for transient failures, the first included. */
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** Consecutive recipients that end failed before the campaign pauses itself. */
  readonly maxConsecutiveFailures: number;
  /** Throttling answers for one recipient in a row before the send pauses itself, resumable: the provider keeps refusing. */
  readonly maxThrottles: number;
  /** Times one recipient may be refused "for now" (pair rate limit, greylisting) before they are recorded failed, retryable. */
  readonly maxDeferrals: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 500, maxDelayMs: 30_000, maxConsecutiveFailures: 50, maxThrottles: 30, maxDeferrals: 5 };

/**
 * Exponential backoff with "equal jitter": half the exponential delay is fixed, half random, so retries spread out
 * but never come back immediately. `random` is in [0, 1).
 */
export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number, retryAfterMs?: number): number {
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  const jittered = exponential / 2 + (exponential / 2) * random();
  return Math.round(Math.max(jittered, retryAfterMs ?? 0));
}

/** Longest wait before a deferred recipient's next try. */
const MAX_DEFER_MS = 30 * 60_000;

/**
 * When a recipient the provider refused for now is tried again: after what it asked (WhatsApp's pair limit: one
 * message every 6 s), then 4^n seconds as Meta advises for 131056 (n = 1, 2, 3…: 4 s, 16 s, 64 s, 256 s), never
 * sooner than it asked — 6 s, 6 s, 16 s, 64 s, 256 s — and at most half an hour.
 */
export function deferDelay(deferrals: number, retryAfterMs: number | undefined): number {
  const asked = retryAfterMs ?? 6_000;
  return deferrals <= 1 ? asked : Math.min(MAX_DEFER_MS, Math.max(asked, 4 ** (deferrals - 1) * 1000));
}
