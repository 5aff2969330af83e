/**
 * The failover policy of a fleet: the config's strategy, threshold and switchover time, plus the
 * timings the config does not spell out, derived from the switchover time so that a switch always
 * fits in it (two observations of an unhealthy region, then the weights, well inside it).
 */
import type { ResolvedFailover, ResolvedFleet } from '../../config/resolved.js';
import type { FailoverPolicy } from './failover-types.js';

/** Requests in the window below which health is judged by instance readiness. */
export const MIN_REQUESTS = 20;

/** How long a region must stay healthy before its share starts coming back. */
export const HOLD_MS = 60_000;

/** The part of its share a region gets back per restore step (a quarter)... */
export const RESTORE_STEP = 0.25;

/** ...and the time between two steps. */
export const RESTORE_STEP_MS = 15_000;

const clamp = (value: number, low: number, high: number): number => Math.min(high, Math.max(low, value));

/**
 * The policy for `failover`, `overrides` on top. With the default 30 s switchover: observe every
 * 5 s, judge the last 10 s of traffic, fail over at the second unhealthy observation in a row (so
 * the switch takes about 5 s), hold 60 s, give back 25 % of the share every 15 s.
 */
export function failoverPolicy(
  failover: ResolvedFailover,
  overrides: Partial<FailoverPolicy> = {},
): FailoverPolicy {
  const intervalMs = overrides.intervalMs ?? clamp(Math.floor(failover.switchoverMs / 6), 100, 5_000);
  return {
    strategy: failover.strategy,
    healthThreshold: failover.healthThreshold,
    switchoverMs: failover.switchoverMs,
    intervalMs,
    windowMs: clamp(Math.floor(failover.switchoverMs / 3), 2 * intervalMs, 60_000),
    minRequests: MIN_REQUESTS,
    confirmMs: intervalMs,
    holdMs: HOLD_MS,
    restoreStep: RESTORE_STEP,
    restoreStepMs: RESTORE_STEP_MS,
    ...overrides,
  };
}

/** The configured share (0..1) of each region of a fleet, in wave order. */
export function sharesOf(fleet: ResolvedFleet): Record<string, number> {
  const shares: Record<string, number> = {};
  for (const wave of fleet.waves) shares[wave.region] = wave.traffic;
  return shares;
}

/** How many steps a restore takes: 4 for a step of 25 %. */
export function restoreSteps(policy: FailoverPolicy): number {
  return Math.max(1, Math.ceil(1 / policy.restoreStep - 1e-9));
}
