/**
 * The data-plane contract: what the rollout controller and the CLI need from wherever services
 * run. The local platform (a per-host agent with a process supervisor and an HTTP router)
 * implements it; a Kubernetes platform will implement the same contract.
 */

import type { ResolvedService } from '../config/resolved.js';
import type { RouterMetricsSnapshot } from './traffic-metrics.js';

/** A service in one environment: the unit that owns a public endpoint and its revisions. */
export interface ServiceRef {
  readonly service: string;
  readonly env: string;
}

/** How an environment exposes its services (a requested port; the platform may choose one). */
export interface EndpointSpec {
  readonly port?: number;
}

/** What a revision is made from: a service's config as resolved, and where its source lives. */
export interface RevisionInput {
  readonly service: ResolvedService;
  /** The directory the service's `source` is relative to (the config file's directory). */
  readonly baseDir: string;
  /** The values of the service's secrets read at deploy: their versions go into the revision, the values only to its instances. */
  readonly secretValues?: Readonly<Record<string, string>>;
}

/** An immutable, content-addressed revision of a service. */
export interface Revision {
  /** `r-` and the first 12 hex digits of the sha256 over source and resolved config. */
  readonly id: string;
  readonly service: string;
  readonly digest: string;
  readonly createdAt: string;
  /** The instance count its config asks for. */
  readonly instances: number;
  /** The version (a keyed fingerprint) of each of its secrets' values, when it has secrets. */
  readonly secretVersions?: Readonly<Record<string, string>>;
}

/** A revision the platform keeps; `pinned` says why it is kept for good, when it is pinned. */
export interface StoredRevision extends Revision {
  readonly pinned?: string;
}

/** Where one instance is in its life. */
export type InstancePhase = 'starting' | 'running' | 'crash-loop' | 'draining' | 'stopped';

/** One instance of a revision as the platform sees it now. */
export interface InstanceStatus {
  readonly id: string;
  readonly revision: string;
  readonly phase: InstancePhase;
  readonly ready: boolean;
  readonly restarts: number;
  /** The last reason it stopped or failed a probe, when there is one. */
  readonly message?: string;
  /** Where the instance listens (platform-specific address, informative). */
  readonly address?: string;
}

/** A revision of a service in an environment: how many instances are wanted and its traffic share. */
export interface RevisionStatus {
  readonly id: string;
  readonly desired: number;
  readonly ready: number;
  readonly weight: number;
  readonly role?: 'stable' | 'canary';
}

/** A service in an environment: endpoint, revisions with weights, and instances. */
export interface ServiceStatus {
  readonly service: string;
  readonly env: string;
  /** The URL users reach (absent when the endpoint could not be opened). */
  readonly url?: string;
  /** Why the endpoint is not serving, e.g. a port already in use. */
  readonly error?: string;
  readonly sticky: boolean;
  readonly revisions: readonly RevisionStatus[];
  readonly instances: readonly InstanceStatus[];
}

/** A request to shift traffic: weights by revision (0..100, summing to 100 or 0). */
export interface TrafficSpec {
  readonly weights: Readonly<Record<string, number>>;
  /** Which revision the `stable` and `canary` overrides name. */
  readonly roles?: { readonly stable?: string; readonly canary?: string };
  readonly sticky?: boolean;
}

/** The outcome of waiting for instances to become ready. */
export type ReadyResult =
  | { readonly status: 'ready'; readonly ready: number }
  | { readonly status: 'failed' | 'timeout'; readonly ready: number; readonly message: string };

/** One probe's latest outcome on one instance. */
export interface ProbeReport {
  readonly kind: 'readiness' | 'liveness';
  readonly status: 'unknown' | 'passing' | 'failing';
  readonly latencyMs?: number;
  readonly message?: string;
}

/** One dependency check's outcome. */
export interface DependencyReport {
  readonly name: string;
  readonly kind: string;
  readonly target: string;
  readonly ok: boolean;
  readonly latencyMs: number;
  readonly message: string;
}

/** Health of a service in an environment: instances with their probes, and dependencies. */
export interface HealthReport {
  readonly service: string;
  readonly env: string;
  readonly healthy: boolean;
  readonly instances: readonly (InstanceStatus & { readonly probes: readonly ProbeReport[] })[];
  readonly dependencies: readonly DependencyReport[];
}

/** Where services run. Every method is safe to call again with the same arguments. */
export interface Platform {
  /** Makes (or finds) the revision of a service's current source and config. */
  createRevision(input: RevisionInput): Promise<Revision>;
  /** The revision `id` of a service, or undefined when the platform does not have it (any more). */
  findRevision(service: string, id: string): Promise<StoredRevision | undefined>;
  /**
   * Keeps a revision for good, whatever the platform prunes, because something (a release) points
   * at it; `reason` is reported as `pinned`. Rejects with REVISION_NOT_FOUND for an unknown revision.
   */
  pinRevision(service: string, id: string, reason: string): Promise<void>;
  /** Opens the service's endpoint in an environment if it is not open yet. */
  ensureService(ref: ServiceRef, endpoint: EndpointSpec): Promise<ServiceStatus>;
  /** Sets how many instances of a revision run; scaling down drains before stopping. */
  scale(ref: ServiceRef, revision: string, instances: number): Promise<void>;
  /** Shifts traffic atomically between revisions. */
  setTraffic(ref: ServiceRef, traffic: TrafficSpec): Promise<void>;
  /** Waits until `count` instances of a revision are ready, one fails for good, or the time is up. */
  waitReady(ref: ServiceRef, revision: string, count: number, timeoutMs: number): Promise<ReadyResult>;
  /** The current state of a service in an environment (undefined when it has never been deployed). */
  status(ref: ServiceRef): Promise<ServiceStatus | undefined>;
  /** Every service the platform runs. */
  list(): Promise<readonly ServiceStatus[]>;
  /** Cumulative per-revision traffic metrics (subtract two snapshots for a window). */
  metrics(ref: ServiceRef): Promise<RouterMetricsSnapshot>;
  /** Probes and dependency checks, run now. */
  health(ref: ServiceRef): Promise<HealthReport>;
  /** Drains and stops every instance of the service in the environment and closes its endpoint. */
  remove(ref: ServiceRef): Promise<void>;
}
