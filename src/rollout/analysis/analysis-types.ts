/** What analysis measures and how it judges, independent of where measurements come from. */

/** Where a metric's value comes from. */
export type MetricProvider =
  | { readonly kind: 'router' }
  | { readonly kind: 'prometheus'; readonly address: string; readonly query: string }
  | { readonly kind: 'http'; readonly url: string; readonly path?: string }
  | { readonly kind: 'command'; readonly command: string };

/** One metric with its bounds: rates in percent, latency in ms. */
export interface MetricCheck {
  readonly name: string;
  readonly provider: MetricProvider;
  readonly quantile?: 'p50' | 'p95' | 'p99';
  readonly max?: number;
  readonly min?: number;
  readonly maxRatio?: number;
}

/** One measurement of one metric over one interval. */
export interface Measurement {
  readonly metric: string;
  readonly verdict: 'success' | 'failure' | 'inconclusive' | 'error';
  readonly value?: number;
  readonly threshold?: string;
  readonly requests?: number;
  /** The span the measurement covers when it is not one interval: the fast rule's sliding window. */
  readonly windowMs?: number;
  readonly message: string;
}

/** How tolerant analysis is. */
export interface AnalysisLimits {
  readonly failureLimit: number;
  readonly inconclusiveLimit: number;
  readonly consecutiveErrorLimit: number;
}

/** Counters carried from one interval to the next, across every analysed hold of a rollout. */
export interface AnalysisState {
  /** Counted failures per metric (the second failure of a run is not counted: see judge). */
  readonly failures: Readonly<Record<string, number>>;
  readonly inconclusive: number;
  readonly consecutiveErrors: Readonly<Record<string, number>>;
  /** Failed measurements in a row per metric, ended by any other verdict. */
  readonly failedInARow: Readonly<Record<string, number>>;
}

/** The outcome of judging one interval: keep going, or stop with a reason. */
export type Verdict =
  | { readonly status: 'continue' }
  | {
      readonly status: 'failed' | 'inconclusive' | 'error';
      readonly reason: string;
      readonly measurement: Measurement;
    };
