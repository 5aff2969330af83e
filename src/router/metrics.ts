// Per-revision request metrics, cumulative since the router started, and the snapshot arithmetic a
// rollout controller uses to measure a window (subtract two snapshots). The types belong to the
// Platform contract (platform/traffic-metrics.ts); the router produces them.
import type { RevisionMetrics, RouterMetricsSnapshot } from '../platform/traffic-metrics.js';
import { copyHistogram, createHistogram, subtractHistogram } from './histogram.js';

/** Zeroed counters for a new revision. */
export function createRevisionMetrics(): RevisionMetrics {
  return { requests: 0, status5xx: 0, connectionErrors: 0, latency: createHistogram() };
}

/** A deep copy, safe to hand out while the original keeps counting. */
export function copyRevisionMetrics(metrics: RevisionMetrics): RevisionMetrics {
  return {
    requests: metrics.requests,
    status5xx: metrics.status5xx,
    connectionErrors: metrics.connectionErrors,
    latency: copyHistogram(metrics.latency),
  };
}

/** Every counter of `newer` minus those of `older` per key; a key missing from `older` counts from zero. */
function diffMetrics(
  newer: Record<string, RevisionMetrics>,
  older: Record<string, RevisionMetrics> | undefined,
): Record<string, RevisionMetrics> {
  const entries = Object.entries(newer).map(([id, current]): [string, RevisionMetrics] => {
    const before = older !== undefined && Object.hasOwn(older, id) ? older[id] : undefined;
    const metrics: RevisionMetrics = before
      ? {
          requests: Math.max(0, current.requests - before.requests),
          status5xx: Math.max(0, current.status5xx - before.status5xx),
          connectionErrors: Math.max(0, current.connectionErrors - before.connectionErrors),
          latency: subtractHistogram(current.latency, before.latency),
        }
      : copyRevisionMetrics(current);
    return [id, metrics];
  });
  // fromEntries defines own properties, so a revision id such as `__proto__` stays plain data.
  return Object.fromEntries(entries);
}

/**
 * What happened between `older` and `newer`: every counter subtracted per revision and per flag
 * variant. A revision or variant missing from `older` counts from zero; one missing from `newer` is
 * left out, and `variants` is absent when `newer` has none.
 */
export function diffSnapshots(
  newer: RouterMetricsSnapshot,
  older: RouterMetricsSnapshot,
): RouterMetricsSnapshot {
  const revisions = diffMetrics(newer.revisions, older.revisions);
  if (newer.variants === undefined) return { at: newer.at, revisions };
  return { at: newer.at, revisions, variants: diffMetrics(newer.variants, older.variants) };
}
