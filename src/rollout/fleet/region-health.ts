/**
 * A region's health from what the edge shows: the share of requests that succeeded over the last
 * window, worked out from cumulative counters kept as samples, or, when the window holds too few
 * requests to judge (a region without traffic), its ready instances against the desired ones.
 */
import type { RegionCounters } from '../../platform/traffic-director.js';
import type { CounterSample, FailoverPolicy, RegionHealth, RegionObservation } from './failover-types.js';

/** Failed requests of a counter reading: server errors plus connection errors, as rollout analysis counts them. */
function failedOf(counters: RegionCounters): number {
  return counters.serverErrors + counters.connectionErrors;
}

/**
 * The samples after adding the reading at `at`: those inside the window plus the newest one at or
 * before its start, so the oldest kept is the window's baseline. Counters that went down (the
 * director restarted or its backends were set again) start over from zero.
 */
export function addSample(
  samples: readonly CounterSample[],
  at: number,
  counters: RegionCounters | undefined,
  windowMs: number,
): readonly CounterSample[] {
  if (counters === undefined) return samples;
  const sample: CounterSample = { at, requests: counters.requests, failed: failedOf(counters) };
  const last = samples.at(-1);
  if (last !== undefined && at <= last.at) return samples;
  const reset = last !== undefined && (sample.requests < last.requests || sample.failed < last.failed);
  const next = reset ? [{ at: last.at, requests: 0, failed: 0 }, sample] : [...samples, sample];
  const start = at - windowMs;
  let first = 0;
  while (first + 1 < next.length && (next[first + 1] as CounterSample).at <= start) first++;
  return next.slice(first);
}

/** What the window of `samples` holds: requests and failures from the oldest sample to the newest. */
export function windowCounts(samples: readonly CounterSample[]): { requests: number; failed: number } {
  const oldest = samples[0];
  const newest = samples.at(-1);
  if (oldest === undefined || newest === undefined || oldest === newest) return { requests: 0, failed: 0 };
  const requests = Math.max(0, newest.requests - oldest.requests);
  return { requests, failed: Math.min(requests, Math.max(0, newest.failed - oldest.failed)) };
}

/** The health of a region with these samples and this observation under `policy`. */
export function regionHealth(
  samples: readonly CounterSample[],
  observed: RegionObservation | undefined,
  policy: FailoverPolicy,
): RegionHealth {
  const { requests, failed } = windowCounts(samples);
  if (requests >= policy.minRequests && requests > 0) {
    return { basis: 'requests', value: (requests - failed) / requests, requests, failed };
  }
  const ready = observed?.ready;
  const desired = observed?.desired;
  if (ready !== undefined && desired !== undefined && desired > 0) {
    return { basis: 'readiness', value: Math.min(1, Math.max(0, ready) / desired), ready, desired };
  }
  return { basis: 'unknown' };
}

/** True below the threshold, false at or above it, undefined when health is unknown. */
export function isUnhealthy(health: RegionHealth, policy: FailoverPolicy): boolean | undefined {
  return health.basis === 'unknown' ? undefined : health.value < policy.healthThreshold;
}
