/**
 * The arithmetic of a rolling update, done the way Kubernetes Deployments do it: surge rounds
 * up, unavailability rounds down, and when both come out 0 one instance may be unavailable.
 */
import type { ResolvedCountOrPercent } from '../config/resolved.js';
import { SlipwayError } from '../errors/slipway-error.js';

/** How far a rolling update may go above and below the desired instance count. */
export interface Fenceposts {
  /** Instances allowed above the desired count. */
  readonly surge: number;
  /** Instances allowed below the desired count (not ready). */
  readonly unavailable: number;
}

/** Thrown for limits that would never let an update start (both written as 0): the config is invalid. */
export class FencepostError extends SlipwayError<'ZERO_SURGE_AND_UNAVAILABLE'> {
  override readonly name = 'FencepostError';
  constructor(message: string, options?: { readonly cause?: unknown }) {
    super('ZERO_SURGE_AND_UNAVAILABLE', 'invalid', message, options);
  }
}

// Percentages of a count are computed on integers first so 30% of 10 is exactly 3, never 3.0000000000000004.
const EPSILON = 1e-9;

/** A count or percentage of `total` as a whole number of instances, rounded up or down. */
export function scaledValue(value: ResolvedCountOrPercent, total: number, roundUp: boolean): number {
  if (!value.percent) return value.value;
  const exact = (value.value * total) / 100;
  return Math.max(0, roundUp ? Math.ceil(exact - EPSILON) : Math.floor(exact + EPSILON));
}

/** Kubernetes' `ResolveFenceposts`: surge rounded up, unavailable rounded down, 0/0 becomes 0/1. */
export function resolveFenceposts(
  instances: number,
  maxSurge: ResolvedCountOrPercent,
  maxUnavailable: ResolvedCountOrPercent,
): Fenceposts {
  if (maxSurge.value === 0 && maxUnavailable.value === 0)
    throw new FencepostError('maxSurge and maxUnavailable cannot both be 0');
  const surge = scaledValue(maxSurge, instances, true);
  const unavailable = scaledValue(maxUnavailable, instances, false);
  // Rounding down can turn a small percentage into 0; one unavailable instance keeps the update moving.
  if (surge === 0 && unavailable === 0) return { surge, unavailable: 1 };
  return { surge, unavailable };
}

/** How many instances one batch starts or stops: a count, or a percentage rounded up; at least 1. */
export function batchCount(batchSize: ResolvedCountOrPercent, instances: number): number {
  return Math.max(1, scaledValue(batchSize, instances, true));
}
