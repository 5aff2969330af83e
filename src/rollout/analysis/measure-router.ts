/**
 * Measurements from the router's own per-revision metrics over a window (the difference of two
 * snapshots): error rate, success rate and latency quantiles, each compared with its threshold
 * and, where asked, with the stable revision over the same window.
 */

import type { RevisionMetrics } from '../../platform/traffic-metrics.js';
import { quantile } from '../../router/histogram.js';
import type { Measurement, MetricCheck } from './analysis-types.js';

/** Measures one router metric of the canary over a window; too few requests is inconclusive. */
export function measureRouter(
  check: MetricCheck,
  window: { readonly canary?: RevisionMetrics; readonly stable?: RevisionMetrics },
  minRequests: number,
): Measurement {
  const requests = window.canary?.requests ?? 0;
  if (!window.canary || requests < minRequests) {
    return {
      metric: check.name,
      verdict: 'inconclusive',
      message: `${requests} request(s) in the window, fewer than the ${minRequests} needed to judge`,
      requests,
    };
  }
  const value = routerValue(check, window.canary);
  if (value === undefined) {
    return { metric: check.name, verdict: 'inconclusive', message: 'no latency recorded', requests };
  }
  const baseline =
    window.stable && window.stable.requests >= minRequests ? routerValue(check, window.stable) : undefined;
  return compare(check, value, baseline, requests);
}

/** The value of a router metric: rates in percent, latency in ms. */
export function routerValue(check: MetricCheck, metrics: RevisionMetrics): number | undefined {
  const bad = metrics.status5xx + metrics.connectionErrors;
  const errorRate = metrics.requests === 0 ? 0 : Math.min(100, (bad / metrics.requests) * 100);
  switch (check.name) {
    case 'error_rate':
      return errorRate;
    case 'success_rate':
      return 100 - errorRate;
    case 'latency': {
      const q = check.quantile === 'p50' ? 0.5 : check.quantile === 'p95' ? 0.95 : 0.99;
      return quantile(metrics.latency, q);
    }
    default:
      return undefined;
  }
}

/** Compares a value with the check's bounds (and the stable baseline for maxRatio). */
export function compare(
  check: MetricCheck,
  value: number,
  baseline: number | undefined,
  requests?: number,
): Measurement {
  const unit = check.name === 'latency' ? ' ms' : check.name.endsWith('_rate') ? '%' : '';
  const shown = (n: number) => `${Math.round(n * 100) / 100}${unit}`;
  const base = { metric: check.name, value, ...(requests !== undefined ? { requests } : {}) };
  if (check.max !== undefined && value > check.max) {
    return {
      ...base,
      verdict: 'failure',
      threshold: `max ${shown(check.max)}`,
      message: `${check.name} ${shown(value)} > ${shown(check.max)}`,
    };
  }
  if (check.min !== undefined && value < check.min) {
    return {
      ...base,
      verdict: 'failure',
      threshold: `min ${shown(check.min)}`,
      message: `${check.name} ${shown(value)} < ${shown(check.min)}`,
    };
  }
  if (
    check.maxRatio !== undefined &&
    baseline !== undefined &&
    baseline > 0 &&
    value > baseline * check.maxRatio
  ) {
    return {
      ...base,
      verdict: 'failure',
      threshold: `max ${check.maxRatio}x stable`,
      message: `${check.name} ${shown(value)} > ${check.maxRatio} x stable ${shown(baseline)}`,
    };
  }
  return { ...base, verdict: 'success', message: `${check.name} ${shown(value)} ok` };
}
