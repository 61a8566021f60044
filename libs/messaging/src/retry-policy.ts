/** Bounded exponential backoff for retriable handler errors (and, unbounded, for infrastructure outages). */
export interface RetryPolicy {
  /** Handler attempts per message, the first included, before it is dead-lettered ('retries exhausted'). */
  readonly maxAttempts: number;
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
  readonly multiplier: number;
}

/** 5 attempts: waits of 100, 200, 400, 800 ms between them; redelivery pauses grow to 30 s. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 5, initialBackoffMs: 100, maxBackoffMs: 30_000, multiplier: 2 };

/** The wait after the `failures`-th consecutive failure (1-based). Deterministic: no jitter. */
export function backoffDelayMs(policy: RetryPolicy, failures: number): number {
  const exponent = Math.max(0, failures - 1);
  return Math.min(policy.maxBackoffMs, policy.initialBackoffMs * policy.multiplier ** exponent);
}
