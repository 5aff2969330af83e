// Fixed log-spaced latency histogram: every revision shares the same bounds, so histograms add and
// subtract bucket by bucket and quantiles come out within about 10% of the true value.
import type { LatencyHistogram } from '../platform/traffic-metrics.js';

const MIN_BOUND_MS = 0.05;
const MAX_BOUND_MS = 60_000;
const GROWTH = 1.1;
const INV_LOG_GROWTH = 1 / Math.log(GROWTH);

function buildBounds(): readonly number[] {
  const bounds: number[] = [];
  for (let i = 0; ; i++) {
    const bound = Number((MIN_BOUND_MS * GROWTH ** i).toPrecision(3));
    bounds.push(bound);
    if (bound >= MAX_BOUND_MS) break;
  }
  return Object.freeze(bounds);
}

/** Upper bounds (ms) of the latency buckets: 0.05 ms growing by 10% to the first bound past 60 s. */
export const LATENCY_BOUNDS_MS: readonly number[] = buildBounds();

/** An empty histogram over LATENCY_BOUNDS_MS. */
export function createHistogram(): LatencyHistogram {
  return {
    bounds: LATENCY_BOUNDS_MS,
    counts: new Array<number>(LATENCY_BOUNDS_MS.length + 1).fill(0),
    sumMs: 0,
    count: 0,
  };
}

/** Index of the bucket holding `ms`: the first bound >= ms, or the overflow bucket. */
export function bucketIndex(ms: number): number {
  const bounds = LATENCY_BOUNDS_MS;
  if (!(ms > MIN_BOUND_MS)) return 0;
  let i = Math.ceil(Math.log(ms / MIN_BOUND_MS) * INV_LOG_GROWTH);
  if (i >= bounds.length) i = bounds.length;
  // The bounds are rounded to 3 digits, so the estimate can be one off either way.
  while (i > 0 && ms <= bounds[i - 1]!) i--;
  while (i < bounds.length && ms > bounds[i]!) i++;
  return i;
}

/** Adds one observation of `ms` milliseconds. */
export function recordLatency(histogram: LatencyHistogram, ms: number): void {
  const i = bucketIndex(ms);
  histogram.counts[i] = histogram.counts[i]! + 1;
  histogram.sumMs += ms;
  histogram.count++;
}

/** A copy that shares the bounds. */
export function copyHistogram(histogram: LatencyHistogram): LatencyHistogram {
  return {
    bounds: histogram.bounds,
    counts: histogram.counts.slice(),
    sumMs: histogram.sumMs,
    count: histogram.count,
  };
}

/** `newer - older` bucket by bucket, for the latencies observed between two snapshots. */
export function subtractHistogram(newer: LatencyHistogram, older: LatencyHistogram): LatencyHistogram {
  return {
    bounds: newer.bounds,
    counts: newer.counts.map((n, i) => Math.max(0, n - (older.counts[i] ?? 0))),
    sumMs: Math.max(0, newer.sumMs - older.sumMs),
    count: Math.max(0, newer.count - older.count),
  };
}

/**
 * The q-quantile (0..1) in ms, interpolated linearly inside its bucket; undefined when the
 * histogram is empty. Values past the last bound report the last bound.
 */
export function quantile(histogram: LatencyHistogram, q: number): number | undefined {
  const { bounds, counts } = histogram;
  let total = 0;
  for (const n of counts) total += n;
  if (total === 0) return undefined;
  const rank = Math.min(1, Math.max(0, q)) * total;
  let seen = 0;
  for (let i = 0; i < counts.length; i++) {
    const n = counts[i]!;
    if (n === 0 || seen + n < rank) {
      seen += n;
      continue;
    }
    if (i >= bounds.length) return bounds[bounds.length - 1]!;
    const lower = i === 0 ? 0 : bounds[i - 1]!;
    const upper = bounds[i]!;
    return lower + ((upper - lower) * Math.max(0, rank - seen)) / n;
  }
  return bounds[bounds.length - 1]!;
}
