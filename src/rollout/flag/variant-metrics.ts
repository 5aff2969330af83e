/**
 * The router's per-variant counters seen as a canary and its baseline: requests whose response
 * named the rolled-out variant of the flag, against every other variant of the same flag, so the
 * canary analysis (measureRouter, the fast rule) judges a flag rollout unchanged.
 */
import type { RevisionMetrics, RouterMetricsSnapshot } from '../../platform/traffic-metrics.js';
import { createHistogram } from '../../router/histogram.js';
import { createRevisionMetrics } from '../../router/metrics.js';

/** The keys the view uses as revision ids. */
export const VARIANT_KEY = 'variant';
export const BASELINE_KEY = 'baseline';

/**
 * A snapshot whose `revisions` are `variant` (the responses naming `flag=variant`) and `baseline`
 * (the sum of every other variant of `flag`); either is absent when no response named it.
 */
export function variantView(
  snapshot: RouterMetricsSnapshot,
  flag: string,
  variant: string,
): RouterMetricsSnapshot {
  const prefix = `${flag}=`;
  let chosen: RevisionMetrics | undefined;
  let rest: RevisionMetrics | undefined;
  for (const [key, metrics] of Object.entries(snapshot.variants ?? {})) {
    if (!key.startsWith(prefix)) continue;
    if (key === prefix + variant) chosen = metrics;
    else rest = add(rest ?? createRevisionMetrics(), metrics);
  }
  const revisions: Record<string, RevisionMetrics> = {};
  if (chosen) revisions[VARIANT_KEY] = chosen;
  if (rest) revisions[BASELINE_KEY] = rest;
  return { at: snapshot.at, revisions };
}

// Histograms share the router's fixed bounds, so they add bucket by bucket.
function add(into: RevisionMetrics, more: RevisionMetrics): RevisionMetrics {
  const latency =
    into.latency.counts.length === more.latency.counts.length ? into.latency : createHistogram();
  for (let i = 0; i < latency.counts.length; i++)
    latency.counts[i] = (latency.counts[i] ?? 0) + (more.latency.counts[i] ?? 0);
  latency.sumMs += more.latency.sumMs;
  latency.count += more.latency.count;
  return {
    requests: into.requests + more.requests,
    status5xx: into.status5xx + more.status5xx,
    connectionErrors: into.connectionErrors + more.connectionErrors,
    latency,
  };
}
