/**
 * What a rollout stores so that it can be driven (and resumed) without reading slipway.yaml
 * again: the planned steps, and the analysis, checks and hooks that apply to them.
 */
import type { ResolvedAnalysis, ResolvedChecks, ResolvedHooks } from '../../config/resolved.js';
import type { ResolvedMigrations } from '../../config/resolved-migrations.js';
import type { MetricCheck } from '../analysis/analysis-types.js';
import type { RevisionSettings } from '../config-versions.js';
import type { DeliveryStart } from '../delivery-record.js';
import type { RolloutStep } from '../rollout-step.js';

/** The frozen spec of one rollout. */
export interface RolloutSpec {
  readonly strategy: string;
  readonly steps: readonly RolloutStep[];
  readonly stable?: { readonly id: string; readonly instances: number };
  readonly next: { readonly id: string; readonly instances: number };
  readonly analysis: ResolvedAnalysis & { readonly metrics: readonly MetricCheck[] };
  readonly autoRollback: boolean;
  readonly checks: ResolvedChecks;
  readonly hooks: ResolvedHooks;
  /** The service's migrations as the rollout started (absent without `migrations:`). */
  readonly migrations?: ResolvedMigrations;
  /** How long new instances get to become ready. */
  readonly readyTimeoutMs: number;
  /** Where hooks and check commands run. */
  readonly workdir: string;
  /** What the deploy brings and the router's counters at its start, for its deploy record. */
  readonly delivery?: DeliveryStart;
  /** The settings of the revision it deploys (its configuration version); absent on a rollback. */
  readonly settings?: RevisionSettings;
}
