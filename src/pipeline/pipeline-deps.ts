/** What the pipeline use cases (start, resume, rerun) run with, and what they return. */
import type { Store } from '../store/store.js';
import type { GitInfo } from './git-info.js';
import type { Reporter, RunResultStatus } from './run-events.js';

/** What every pipeline use case runs with. */
export interface PipelineDeps {
  readonly store: Store;
  readonly clock: { now(): number };
  readonly reporter: Reporter;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly actor: string;
  readonly concurrency: number;
  readonly signal: AbortSignal;
  readonly git: GitInfo;
  /** Grace between SIGTERM and SIGKILL. */
  readonly graceMs?: number;
  readonly pollMs?: number;
  /** Spawn each job from this process instead of through the launcher. */
  readonly spawnDirectly?: boolean;
  /** argv of this Slipway (e.g. node and bin/slipway.js): deploy environments without `run` call its `deploy`. */
  readonly slipwayCommand?: readonly string[];
  /** Lease holder name of this process (default: host:pid:start); servers pass one for all their runs. */
  readonly owner?: string;
}

/** The outcome of a run command. */
export interface RunOutcome {
  readonly runId: number;
  readonly status: RunResultStatus;
}
