/**
 * When a failed delivery is tried again: exponential back-off with full jitter (a random wait
 * between zero and `base * 2^(attempt-1)`, capped), never sooner than the receiver's `Retry-After`,
 * and never again after a permanent failure or the last allowed attempt. Pure: data in, data out.
 */

/** How a worker retries; every field is milliseconds except `maxAttempts`. */
export interface RetryPolicy {
  /** The back-off ceiling of the first retry; doubles with each attempt. */
  readonly baseMs: number;
  /** The longest back-off, however many attempts failed. */
  readonly capMs: number;
  /** Attempts after which a delivery fails for good. */
  readonly maxAttempts: number;
  /** The longest `Retry-After` honoured, so one receiver cannot park a delivery for days. */
  readonly maxRetryAfterMs: number;
}

/** Production defaults: 1 s doubling to 5 min, 12 attempts (about half an hour of trying at worst). */
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  baseMs: 1_000,
  capMs: 300_000,
  maxAttempts: 12,
  maxRetryAfterMs: 3_600_000,
};

/** What a failed attempt says about itself (a `NotificationError`, or anything else thrown). */
export interface AttemptFailure {
  readonly retryable: boolean;
  readonly retryAfterMs?: number | undefined;
}

/** What becomes of a delivery after a failed attempt. */
export type RetryDecision =
  | { readonly kind: 'retry'; readonly delayMs: number }
  | { readonly kind: 'give_up'; readonly reason: 'permanent' | 'attempts' };

/** The full-jitter back-off after `attempt` failed attempts (1 = the first); `random` is in [0, 1). */
export function backoffMs(attempt: number, policy: RetryPolicy, random: () => number): number {
  const exponent = Math.min(Math.max(attempt - 1, 0), 52);
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** exponent);
  return Math.floor(random() * ceiling);
}

/** Decides the fate of a delivery whose attempt number `attempt` just failed with `failure`. */
export function decideRetry(
  failure: AttemptFailure,
  attempt: number,
  policy: RetryPolicy,
  random: () => number,
): RetryDecision {
  if (!failure.retryable) return { kind: 'give_up', reason: 'permanent' };
  if (attempt >= policy.maxAttempts) return { kind: 'give_up', reason: 'attempts' };
  const asked = Math.min(failure.retryAfterMs ?? 0, policy.maxRetryAfterMs);
  return { kind: 'retry', delayMs: Math.max(backoffMs(attempt, policy, random), asked) };
}
