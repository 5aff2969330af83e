/**
 * The resolved form of `strategy:`: how a new revision replaces the running one (canary stages,
 * blue-green switch, rolling batches) or how a flag's variant is rolled out to users.
 */
import type { JsonValue } from '../flags/flag-document.js';

/** A count of instances written as a number (`2`) or a percentage of the instances (`25%`). */
export interface ResolvedCountOrPercent {
  readonly value: number;
  readonly percent: boolean;
}

/** Where a metric's value comes from. */
export type ResolvedMetricProvider =
  | { readonly kind: 'router' }
  | { readonly kind: 'prometheus'; readonly address: string; readonly query: string }
  | { readonly kind: 'http'; readonly url: string; readonly path: string }
  | { readonly kind: 'command'; readonly command: string };

/** One compared value: rates in percent, latencies in ms; a command metric has no threshold. */
export interface ResolvedMetricCheck {
  readonly name: string;
  readonly provider: ResolvedMetricProvider;
  /** Which latency quantile (latency only). */
  readonly quantile?: 'p50' | 'p95' | 'p99';
  readonly max?: number;
  readonly min?: number;
  /** Fails when the new revision's value exceeds the stable revision's times this. */
  readonly maxRatio?: number;
}

/** A canary stage: the new revision's share (0..100), held `durationMs` or until promoted. */
export interface ResolvedCanaryStage {
  readonly traffic: number;
  readonly durationMs?: number;
  readonly pause: boolean;
}

/** Rolling: instances replaced in batches within surge and unavailability limits. */
export interface ResolvedRollingStrategy {
  readonly kind: 'rolling';
  readonly batchSize: ResolvedCountOrPercent;
  readonly maxSurge: ResolvedCountOrPercent;
  readonly maxUnavailable: ResolvedCountOrPercent;
  readonly batchIntervalMs: number;
  readonly metrics: readonly ResolvedMetricCheck[];
  readonly autoRollback: boolean;
}

/** The flag services a `featureFlag` rollout can drive. */
export type FlagProviderName = 'slipway' | 'launchdarkly' | 'split' | 'custom';

/** A stage of a flag rollout: the variant's share of users (1..100), held `durationMs` with analysis. */
export interface ResolvedFlagStage {
  readonly traffic: number;
  readonly durationMs: number;
}

/**
 * Feature flag: the new code ships dark (the revision is replaced by `replace`), then one flag's
 * variant takes growing shares of users, analysed at each stage. Secrets are given by name.
 */
export interface ResolvedFeatureFlagStrategy {
  readonly kind: 'featureFlag';
  readonly provider: FlagProviderName;
  readonly flag: string;
  /** The variant rolled out. */
  readonly variant: string;
  /** The variant the rest get; absent: the flag's default variant. */
  readonly baseline?: string;
  /** Shares (1..100, increasing) each held durationMs with analysis; 100 is NOT appended here. */
  readonly stages: readonly ResolvedFlagStage[];
  readonly metrics: readonly ResolvedMetricCheck[];
  readonly autoRollback: boolean;
  /** A JsonLogic rule over the evaluation context: only users it matches take part. */
  readonly targeting?: JsonValue;
  /** False: one step straight to 100%, analysed for the last stage's duration. */
  readonly gradualRollout: boolean;
  readonly launchdarkly?: {
    readonly project: string;
    readonly environment: string;
    readonly baseUrl: string;
    /** Name of the secret holding the API access token. */
    readonly token: string;
  };
  readonly split?: {
    readonly workspace: string;
    readonly environment: string;
    readonly baseUrl: string;
    /** Name of the secret holding the Admin API key. */
    readonly token: string;
  };
  readonly custom?: { readonly command: string; readonly timeoutMs: number };
  /** How a changed revision is replaced before the flag moves: the default rolling update (no analysis). */
  readonly replace: ResolvedRollingStrategy;
}

/** How a new revision replaces the running one, with durations in ms and shares in percent. */
export type ResolvedStrategy =
  | {
      readonly kind: 'canary';
      readonly stages: readonly ResolvedCanaryStage[];
      readonly metrics: readonly ResolvedMetricCheck[];
      readonly autoRollback: boolean;
    }
  | {
      readonly kind: 'blueGreen';
      readonly switchover: 'instant' | 'gradual';
      /** Gradual shares of the new revision, ending at 100. */
      readonly steps: readonly number[];
      readonly stepDurationMs: number;
      readonly rollback: 'immediate';
      readonly scaleDownDelayMs: number;
      readonly analysisDurationMs: number;
      readonly metrics: readonly ResolvedMetricCheck[];
      readonly autoRollback: boolean;
    }
  | ResolvedRollingStrategy
  | ResolvedFeatureFlagStrategy;
