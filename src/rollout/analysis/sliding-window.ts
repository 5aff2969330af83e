/**
 * The router metrics of a recent span of time, kept as cumulative snapshots taken every few tens
 * of milliseconds: the difference between the newest snapshot and any older one still inside the
 * span is what a revision answered since then.
 */
import type { RevisionMetrics, RouterMetricsSnapshot } from '../../platform/traffic-metrics.js';

/** What a revision answered over one span of time ending now. */
export interface SpanCounts {
  readonly requests: number;
  /** 5xx responses and connection errors. */
  readonly failed: number;
  readonly windowMs: number;
}

interface Sample {
  readonly at: number;
  readonly snapshot: RouterMetricsSnapshot;
}

/** Snapshots over the last `spanMs`; `push` them in time order. */
export class SlidingWindow {
  #samples: Sample[] = [];

  constructor(private readonly spanMs: number) {}

  /** Adds the snapshot read at `at` and forgets those that fell out of the span. */
  push(at: number, snapshot: RouterMetricsSnapshot): void {
    this.#samples.push({ at, snapshot });
    const from = at - this.spanMs;
    const firstInside = this.#samples.findIndex((s) => s.at >= from);
    if (firstInside > 0) this.#samples = this.#samples.slice(firstInside);
  }

  /**
   * What `revision` answered from each older snapshot up to the newest, shortest span first: every
   * window that ends now and starts within the span (all of them since the first snapshot while
   * the span is not yet full).
   */
  spans(revision: string): SpanCounts[] {
    const newest = this.#samples.at(-1);
    const now = newest ? revisionOf(newest.snapshot, revision) : undefined;
    if (!newest || !now) return [];
    const spans: SpanCounts[] = [];
    for (let i = this.#samples.length - 2; i >= 0; i--) {
      const older = this.#samples[i] as Sample;
      // A revision the older snapshot does not list had served nothing yet.
      const before = revisionOf(older.snapshot, revision);
      spans.push({
        requests: Math.max(0, now.requests - (before?.requests ?? 0)),
        failed: Math.max(0, failedOf(now) - (before ? failedOf(before) : 0)),
        windowMs: newest.at - older.at,
      });
    }
    return spans;
  }
}

function revisionOf(snapshot: RouterMetricsSnapshot, revision: string): RevisionMetrics | undefined {
  return Object.hasOwn(snapshot.revisions, revision) ? snapshot.revisions[revision] : undefined;
}

function failedOf(metrics: RevisionMetrics): number {
  return metrics.status5xx + metrics.connectionErrors;
}
