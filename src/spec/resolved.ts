/** The resolved config: what planners consume after parsing, defaults and cross-field checks. */
import type { ConfigPath } from './diagnostic.js';

/** A named command inside a job. */
export interface ResolvedStep {
  readonly name: string;
  readonly run: string;
}

/** A matrix with its axes separated from its rules. */
export interface ResolvedMatrix {
  readonly axes: Readonly<Record<string, readonly (string | number | boolean)[]>>;
  readonly include: readonly Readonly<Record<string, string | number | boolean>>[];
  readonly exclude: readonly Readonly<Record<string, string | number | boolean>>[];
  readonly failFast: boolean;
  readonly maxParallel?: number;
}

/** Cache settings of a job. */
export interface ResolvedCache {
  readonly key: string;
  readonly paths: readonly string[];
  readonly restoreKeys: readonly string[];
}

/** One job, with every default applied and durations in milliseconds. */
export interface ResolvedJob {
  readonly id: string;
  /** The stage the job belongs to, if any. */
  readonly stage?: string;
  readonly run?: string;
  readonly steps?: readonly ResolvedStep[];
  readonly needs: readonly string[];
  readonly if?: string;
  readonly timeoutMs?: number;
  readonly retry: { readonly maxAttempts: number; readonly backoffMs: number };
  readonly continueOnError: boolean;
  readonly env: Readonly<Record<string, string>>;
  readonly workdir?: string;
  readonly matrix?: ResolvedMatrix;
  readonly cache?: ResolvedCache;
  readonly artifacts: readonly string[];
  readonly secrets: readonly string[];
  /** Where the job is defined in the file. */
  readonly path: ConfigPath;
}

/** One environment of a deploy stage. */
export interface ResolvedEnvironment {
  readonly name: string;
  readonly approval: 'auto' | 'manual_approval';
  readonly run?: string;
  readonly path: ConfigPath;
}

/** A stage and the job ids it runs. */
export type ResolvedStage =
  | {
      readonly kind: 'parallel' | 'sequential';
      readonly name: string;
      readonly jobs: readonly string[];
      readonly path: ConfigPath;
    }
  | {
      readonly kind: 'deploy';
      readonly name: string;
      readonly environments: readonly ResolvedEnvironment[];
      readonly path: ConfigPath;
    };

/** What a probe checks: an HTTP path, a TCP connect or a command. */
export type ResolvedProbeCheck =
  | { readonly kind: 'http'; readonly path: string; readonly port?: number }
  | { readonly kind: 'tcp'; readonly port?: number }
  | { readonly kind: 'exec'; readonly command: string };

/** A readiness or liveness probe with its timing in milliseconds. */
export type ResolvedProbe = ResolvedProbeCheck & {
  readonly initialDelayMs: number;
  readonly periodMs: number;
  readonly timeoutMs: number;
  readonly successThreshold: number;
  readonly failureThreshold: number;
};

/** Something a service needs reachable; `url` may still hold `${VAR}` placeholders. */
export interface ResolvedDependency {
  readonly name: string;
  readonly kind: 'postgres' | 'redis' | 'rabbitmq' | 'http';
  readonly url: string;
  readonly timeoutMs: number;
}

/** One service, with every default applied and durations in milliseconds. */
export interface ResolvedService {
  readonly id: string;
  readonly run: string;
  /** As written, relative to the config file's directory (default '.'). */
  readonly source: string;
  readonly instances: number;
  readonly env: Readonly<Record<string, string>>;
  readonly readiness?: ResolvedProbe;
  readonly liveness?: ResolvedProbe;
  readonly shutdown: { readonly drainMs: number; readonly timeoutMs: number };
  /** In file order. */
  readonly dependencies: readonly ResolvedDependency[];
  /** Where the service is defined in the file. */
  readonly path: ConfigPath;
}

/** A top-level environment the services are deployed to. */
export interface ResolvedServiceEnvironment {
  readonly name: string;
  /** Absent when the platform picks a free port. */
  readonly port?: number;
  readonly path: ConfigPath;
}

/** A whole slipway.yaml, resolved. */
export interface ResolvedConfig {
  readonly version: 1;
  readonly project: { readonly name: string; readonly description?: string };
  readonly jobs: Readonly<Record<string, ResolvedJob>>;
  /** Stages in order; a file without `pipeline:` gets one parallel stage holding every job. */
  readonly stages: readonly ResolvedStage[];
  /** True when the stages came from an explicit `pipeline:`. */
  readonly explicitPipeline: boolean;
  /** At most one running run per group (the group may hold `${{ }}` expressions). */
  readonly concurrency?: { readonly group: string; readonly cancelInProgress: boolean };
  /** Services by id (empty when the file has none). */
  readonly services: Readonly<Record<string, ResolvedService>>;
  /** Top-level environments by name (empty when the file has none). */
  readonly environments: Readonly<Record<string, ResolvedServiceEnvironment>>;
}
