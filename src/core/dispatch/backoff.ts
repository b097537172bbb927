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
