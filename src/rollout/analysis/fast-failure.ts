/**
 * The fast rule: the router's error rate of the new revision, judged between analysis intervals
 * over every recent span of time, so that a clearly failing canary is rolled back within a
 * fraction of a second. It fires only far above the threshold and over enough requests that a
 * blip cannot reach it (docs/rollouts.md states the rule and the arithmetic).
 */
import type { Measurement, MetricCheck } from './analysis-types.js';
import { compare } from './measure-router.js';
import type { SpanCounts } from './sliding-window.js';

/** Requests a span must hold, whatever `minRequests` says: fewer leave too much to chance. */
export const FAST_MIN_REQUESTS = 20;
/** The share of failed requests (percent) below which the fast rule never fires. */
export const FAST_MIN_ERROR_RATE = 50;
/** How far above the threshold the error rate must be. */
export const FAST_THRESHOLD_FACTOR = 5;

/** A router check the fast rule can judge, with the error rate it tolerates (percent). */
export interface FastCheck {
  readonly check: MetricCheck;
  readonly maxErrorRate: number;
}

/** The checks the fast rule watches: error_rate with a max and success_rate with a min, measured by the router. */
export function fastChecks(checks: readonly MetricCheck[]): FastCheck[] {
  return checks.flatMap((check): FastCheck[] => {
    if (check.provider.kind !== 'router') return [];
    if (check.name === 'error_rate' && check.max !== undefined) return [{ check, maxErrorRate: check.max }];
    if (check.name === 'success_rate' && check.min !== undefined)
      return [{ check, maxErrorRate: 100 - check.min }];
    return [];
  });
}

/**
 * The failed measurement when a span trips the rule, else undefined. A span trips it when it holds
 * at least max(minRequests, 20) requests, of which at least half failed and at least five times
 * the share the check tolerates; the shortest such span is reported.
 */
export function fastFailure(
  checks: readonly FastCheck[],
  spans: readonly SpanCounts[],
  minRequests: number,
): Measurement | undefined {
  const floor = Math.max(minRequests, FAST_MIN_REQUESTS);
  for (const span of spans) {
    if (span.requests < floor) continue;
    const errorRate = Math.min(100, (span.failed / span.requests) * 100);
    for (const { check, maxErrorRate } of checks) {
      if (errorRate < FAST_MIN_ERROR_RATE || errorRate < maxErrorRate * FAST_THRESHOLD_FACTOR) continue;
      const value = check.name === 'success_rate' ? 100 - errorRate : errorRate;
      const measured = compare(check, value, undefined, span.requests);
      if (measured.verdict === 'failure') return { ...measured, windowMs: span.windowMs };
    }
  }
  return undefined;
}
