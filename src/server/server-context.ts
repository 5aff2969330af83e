// What the server is built from (ServerDeps) and what its routes share at run time (ServerContext).

import type { ResolvedConfig } from '../config/resolved.js';
import type { Platform } from '../platform/platform.js';
import type { ControllerDeps } from '../rollout/controller/controller-types.js';
import type { RolloutClock } from '../rollout/rollout-clock.js';
import type { Store } from '../store/store.js';
import type { BackgroundTasks, ServerLogger } from './background.js';
import type { ServerRuns } from './server-runs.js';

/** Everything createServer is wired with; nothing is read from globals. */
export interface ServerDeps {
  readonly store: Store;
  /** The project the server serves; `.slipway/` (releases, revisions) lives inside it. */
  readonly projectDir: string;
  /** Reads and checks slipway.yaml again; throws PipelineError CONFIG_INVALID when it is invalid. */
  readonly loadConfig: () => Promise<ResolvedConfig>;
  readonly platform: Platform;
  /** Read by every route and engine; rollouts also wait on it. */
  readonly clock: RolloutClock;
  readonly logger: ServerLogger;
  /** Environment of jobs and hooks (the server's own, usually). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** argv of this Slipway, for deploy environments without `run`. */
  readonly slipwayCommand?: readonly string[];
  /** Most jobs at once per run. */
  readonly concurrency?: number;
  /** How often to look for rollouts whose controller died, to drive them here (default 1000 ms). */
  readonly takeoverMs?: number;
  /** How often the event stream and metrics poll the event log (default 250 ms). */
  readonly pollMs?: number;
  /** Slipway's version, shown in the OpenAPI document. */
  readonly version?: string;
  /** Serve HTTPS with this PEM certificate and key (plain HTTP without). */
  readonly https?: { readonly cert: Buffer; readonly key: Buffer };
  /** Largest request body in bytes (default 1 MiB). */
  readonly bodyLimit?: number;
  /** Secret of GitHub webhook signatures (default: SLIPWAY_WEBHOOK_SECRET of `env`; none refuses webhooks). */
  readonly webhookSecret?: string;
  /** Secret of incident webhook signatures (default: SLIPWAY_INCIDENT_WEBHOOK_SECRET of `env`; none refuses them). */
  readonly incidentWebhookSecret?: string;
  /** The branch whose pushes start runs (default: the project directory's current branch). */
  readonly branch?: string;
  /** The config file relative to projectDir (default slipway.yaml); a webhook reads it inside the workspace. */
  readonly configFile?: string;
  /** `false`: no reconcile passes for the project's `gitops:` section (default: they run). */
  readonly gitops?: boolean;
}

/** What route factories get. */
export interface ServerContext extends ServerDeps {
  readonly pollMs: number;
  readonly tasks: BackgroundTasks;
  readonly runs: ServerRuns;
  /** Rollout controller dependencies acting for the server. */
  readonly controllerDeps: () => ControllerDeps;
  /** Stops the event streams on close. */
  readonly closing: AbortSignal;
}
