/** The verdict every health check reduces to, and the deadline that bounds each one. */
import { describeSocketError } from './socket-error.js';

/** Whether a check passed, and a short human-readable reason either way. */
export interface CheckOutcome {
  readonly ok: boolean;
  readonly message: string;
}

/** The message of a check that ran out of time, the same for probes and dependency checks. */
export function timeoutMessage(timeoutMs: number): string {
  return `timed out after ${timeoutMs} ms`;
}

/**
 * Runs `work` with a deadline: when it passes, `signal` aborts (the work must then release its
 * sockets or processes) and the result is a timeout. A rejection becomes a failed outcome, so
 * callers never see a throw.
 */
export function withDeadline(
  timeoutMs: number,
  work: (signal: AbortSignal) => Promise<CheckOutcome>,
): Promise<CheckOutcome> {
  return new Promise((resolve) => {
    const controller = new AbortController();
    const timer = setTimeout(() => {
      controller.abort();
      resolve({ ok: false, message: timeoutMessage(timeoutMs) });
    }, timeoutMs);
    const settle = (outcome: CheckOutcome): void => {
      clearTimeout(timer);
      resolve(outcome);
    };
    let running: Promise<CheckOutcome>;
    try {
      running = work(controller.signal);
    } catch (error) {
      running = Promise.reject(error);
    }
    running.then(settle, (error: unknown) => settle({ ok: false, message: describeSocketError(error) }));
  });
}

/** Milliseconds since `startedAt` (a `performance.now()` reading), to a tenth. */
export function elapsedSince(startedAt: number): number {
  return Math.round((performance.now() - startedAt) * 10) / 10;
}
