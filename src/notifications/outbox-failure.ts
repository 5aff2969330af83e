/**
 * What the outbox records of a failed send: whether to retry, how long the receiver asked to wait,
 * and a message safe to store, log and show (a channel's own errors are already redacted; anything
 * else thrown keeps only its name, since its message may quote a URL or a token).
 */
import { NotificationError } from './errors.js';
import type { AttemptFailure } from './retry-policy.js';

/** A failed attempt as the outbox stores it. */
export interface RecordedFailure extends AttemptFailure {
  readonly message: string;
}

/**
 * Describes `error`, thrown by a send that `budgetMs` bounded. A send cut off by that bound is
 * retryable whatever the channel called it (it reports its own cancellation as final).
 */
export function recordedFailure(error: unknown, budgetExceeded: boolean, budgetMs: number): RecordedFailure {
  if (budgetExceeded)
    return { retryable: true, message: `the send took longer than the ${budgetMs} ms its lease allows` };
  if (error instanceof NotificationError) {
    return {
      retryable: error.retryable,
      retryAfterMs: error.retryAfterMs,
      message: `${error.code}: ${error.message}`,
    };
  }
  const name = error instanceof Error ? error.name : typeof error;
  return {
    retryable: true,
    message: `unexpected ${name} while sending (its message is withheld: it may hold a secret)`,
  };
}
