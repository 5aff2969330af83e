/** What the rollout controller is wired with and what it reports and returns, shared by the controller, its hold step and the use cases. */
import type { ResolvedDatabase } from '../../config/databases-schema.js';
import type { Platform } from '../../platform/platform.js';
import type { Store } from '../../store/store.js';
import type { Measurement } from '../analysis/analysis-types.js';
import type { FlagRolloutEvent } from '../flag/flag-rollout.js';
import type { RolloutClock } from '../rollout-clock.js';
import type { MigrationPhase, MigrationRecord } from './migration-record.js';

/** What a rollout reports as it goes (printed as NDJSON with --json). */
export type RolloutEvent =
  | {
      readonly type: 'rollout.step';
      readonly rollout: number;
      readonly step: number;
      readonly action: string;
      readonly weights: Readonly<Record<string, number>>;
      readonly instances: Readonly<Record<string, number>>;
    }
  | ({ readonly type: 'analysis.measurement'; readonly rollout: number; readonly step: number } & Measurement)
  | {
      readonly type: 'rollout.paused';
      readonly rollout: number;
      readonly step: number;
      readonly reason: string;
    }
  | { readonly type: 'rollout.resumed'; readonly rollout: number; readonly step: number }
  | {
      readonly type: 'rollout.rollback';
      readonly rollout: number;
      readonly reason: string;
      readonly restoreMs: number;
    }
  | {
      readonly type: 'rollout.finished';
      readonly rollout: number;
      readonly status: 'completed' | 'rolled_back' | 'aborted';
      readonly revision: string;
      readonly reason?: string;
      /** A completed rollout whose `contract` failed: what to do about it. */
      readonly warning?: string;
    }
  | ({
      readonly type: 'migration.ran';
      readonly rollout: number;
      readonly phase: MigrationPhase;
    } & MigrationRecord)
  | FlagRolloutEvent;

/** How a rollout ended (or that another controller drives it). */
export type RolloutOutcome =
  | {
      readonly status: 'completed' | 'rolled_back' | 'aborted';
      readonly reason?: string;
      /** Completed, but `contract` failed: the new revision serves and the command to retry it. */
      readonly warning?: string;
    }
  | { readonly status: 'busy'; readonly owner: string }
  /** This controller stopped driving (its process is shutting down); the rollout waits for the next one. */
  | { readonly status: 'released' };

/** What the controller needs. */
export interface ControllerDeps {
  readonly store: Store;
  readonly platform: Platform;
  /** Every time the controller reads and every wait (holds, polls, heartbeats) goes through it. */
  readonly clock: RolloutClock;
  readonly report: (event: RolloutEvent) => void;
  /** Identifies this controller process in the store (e.g. `host:pid:start`). */
  readonly owner: string;
  /** Environment variables for hooks and commands. */
  readonly env: Readonly<Record<string, string>>;
  /**
   * A secret's value by name (flag services' tokens): the environment, else `.slipway/secrets.env`;
   * `env` alone when absent.
   */
  readonly secret?: (name: string) => string | undefined;
  /**
   * Aborted when this process stops driving rollouts (a server shutting down): `drive` returns
   * `released` and leaves the rollout where it is, free for another controller to take over.
   */
  readonly signal?: AbortSignal;
  /**
   * Runs once before a deploy's first step, when the new revision and the one it replaces are known
   * (database snapshots); a failure stops the deploy before anything changes.
   */
  readonly beforeRollout?: (deploy: BeforeRollout) => Promise<void>;
}

/** The deploy about to start, as `beforeRollout` sees it. */
export interface BeforeRollout {
  /** The environment's databases (never empty: without any, nothing is called). */
  readonly databases: readonly ResolvedDatabase[];
  readonly service: string;
  readonly env: string;
  readonly revision: string;
  /** The revision serving now, when there is one. */
  readonly stable?: string;
  /** Whether a step changes the schema or data (a `preDeploy` hook, an `expand` migration). */
  readonly migrates: boolean;
}

/** The result of applying one step. */
export type StepResult =
  | { readonly status: 'done' }
  | { readonly status: 'jump'; readonly to: number }
  /** `inconclusive`: analysis paused for want of data; a person who resumes restarts that count. */
  | { readonly status: 'paused'; readonly reason: string; readonly inconclusive?: boolean }
  | { readonly status: 'failed'; readonly reason: string; readonly measurement?: Measurement }
  | { readonly status: 'aborted'; readonly reason: string }
  | { readonly status: 'released' };
