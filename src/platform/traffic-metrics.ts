// Per-revision traffic metrics as the Platform contract reports them: whatever routes a service's
// traffic (the local router today) produces these, and the rollout controller measures with them.

/** Latency histogram; `counts` has one more entry than `bounds`: the last one counts values past the last bound. */
export interface LatencyHistogram {
  readonly bounds: readonly number[];
  readonly counts: number[];
  sumMs: number;
  count: number;
}

/** Counters of one revision. */
export interface RevisionMetrics {
  /** Requests (and WebSocket tunnels) routed to the revision, counted when they finish. */
  requests: number;
  /** Responses with status >= 500 sent to clients, including the router's own 502/503/504. */
  status5xx: number;
  /** Upstream connect failures, resets mid-response and upstream timeouts. */
  connectionErrors: number;
  /** Time from request arrival to response end, in ms. */
  readonly latency: LatencyHistogram;
}

/** Metrics of every revision the router has served, at time `at` (epoch ms). */
export interface RouterMetricsSnapshot {
  readonly at: number;
  readonly revisions: Record<string, RevisionMetrics>;
  /**
   * Per flag variant, keyed `flag=variant`: the responses whose `x-slipway-flag-variants` header
   * (set by the OpenFeature hook in packages/openfeature-hook) named that variant of that flag.
   * Absent when no response named one.
   */
  readonly variants?: Record<string, RevisionMetrics>;
}

/** The response header naming the flag variants evaluated for a request: `flag=variant, ...`. */
export const FLAG_VARIANTS_HEADER = 'x-slipway-flag-variants';
