/** The resolved config: what planners consume after parsing, defaults and cross-field checks. */

import type { ResolvedDatabase } from './databases-schema.js';
import type { ConfigPath } from './diagnostic.js';
import type { ResolvedFindings } from './findings-schema.js';
import type { Trigger } from './notification-triggers.js';
import type { ResolvedFlags } from './resolved-flags.js';
import type { ResolvedInfrastructure } from './resolved-infrastructure.js';
import type { ResolvedMigrations } from './resolved-migrations.js';
import type { ResolvedSecurityChecks } from './resolved-security-checks.js';
import type { ResolvedStrategy } from './resolved-strategy.js';
import type { ResolvedSecurity } from './security-schema.js';
import type { ResolvedSlo } from './slo-schema.js';

export type {
  FlagProviderName,
  ResolvedCanaryStage,
  ResolvedCountOrPercent,
  ResolvedFeatureFlagStrategy,
  ResolvedFlagStage,
  ResolvedMetricCheck,
  ResolvedMetricProvider,
  ResolvedRollingStrategy,
  ResolvedStrategy,
} from './resolved-strategy.js';

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
  /** The scanner reports the job writes and their gate; absent without `findings:`. */
  readonly findings?: ResolvedFindings;
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
  readonly dependencies: readonly ResolvedDependency[]; // in file order
  readonly secrets?: readonly string[]; // `secrets:` names, absent when none; their versions are part of the revision
  /** Services a GitOps pass syncs before this one (absent when none); not part of the revision. */
  readonly dependsOn?: readonly string[];
  readonly migrations?: ResolvedMigrations; // absent without `migrations:`; part of the revision
  /** Where the service is defined in the file. */
  readonly path: ConfigPath;
}

/** How often metrics are measured and how many bad measurements are tolerated. */
export interface ResolvedAnalysis {
  readonly intervalMs: number;
  readonly failureLimit: number;
  readonly inconclusiveLimit: number;
  readonly consecutiveErrorLimit: number;
  readonly minRequests: number;
}

/** An HTTP request to the new revision; `expect` absent means any 2xx or 3xx status. */
export interface ResolvedHttpCheck {
  readonly path: string;
  readonly method: string;
  readonly expect?: readonly number[];
  /** A regular expression the body must match. */
  readonly body?: string;
}

/** A smoke check: a request or a command. */
export type ResolvedSmokeCheck =
  | ({ readonly kind: 'http' } & ResolvedHttpCheck)
  | { readonly kind: 'run'; readonly command: string };

/** A synthetic journey: requests made in order. */
export interface ResolvedJourney {
  readonly name: string;
  readonly steps: readonly ResolvedHttpCheck[];
}

/** Checks of the new revision before traffic (smoke, warmup, security), during it (synthetic) and after it (security). */
export interface ResolvedChecks {
  readonly smoke: readonly ResolvedSmokeCheck[];
  readonly warmup: readonly string[];
  readonly synthetic: readonly ResolvedJourney[];
  readonly security?: ResolvedSecurityChecks;
  readonly timeoutMs: number;
}

/** Commands run once per rollout. */
export interface ResolvedHooks {
  readonly preDeploy?: string;
  readonly postDeploy?: string;
  readonly timeoutMs: number;
}

/** Everything that says how a service is deployed to an environment (never part of a revision). */
export interface ResolvedDeployment {
  readonly strategy: ResolvedStrategy;
  readonly analysis: ResolvedAnalysis;
  readonly checks: ResolvedChecks;
  readonly hooks: ResolvedHooks;
}

/** Who may decide an environment's gates: approvals needed, and whether the run's actor is refused. */
export interface ResolvedApprovalProtection {
  readonly required: number;
  readonly preventSelfApproval: boolean;
}

/** An environment's pipeline policies, checked at its deploy gate; absent parts are not checked. */
export interface ResolvedProtection {
  /** Stages that must have passed on the run's commit (this run or an earlier one). */
  readonly requiredStages: readonly string[];
  /** Distinct approvals the manual gate needs, and whether the run's starter may give one. */
  readonly approvers?: { readonly required: number; readonly excludeStarter: boolean };
  /** Branch globs the environment deploys from. */
  readonly branches?: readonly string[];
  /** Files relative to the project directory: SSH allowed signers, and public GPG keys (else the runner's keyring). */
  readonly signedCommits?: { readonly allowedSigners: string; readonly gpgKeyring?: string };
}

/** A machine of `hosts:` (top level or an environment's own), reached over SSH. */
export interface ResolvedHost {
  readonly name: string;
  /** `ssh://[user@]host[:port]` split up; an IPv6 host without its brackets; no port means SSH's default. */
  readonly address: { readonly user?: string; readonly host: string; readonly port?: number };
  readonly region: string;
  /** The folder Slipway uses on the host, as written (default `~/.slipway`). */
  readonly dir: string;
  /** Where the host is defined in the file. */
  readonly path: ConfigPath;
}

/** One wave of a rollout: a region, when it starts and its share of the environment's traffic. */
export interface ResolvedWave {
  readonly region: string;
  /** Milliseconds after the rollout starts; 0 is `immediate`. */
  readonly offsetMs: number;
  /** Fraction of the traffic (0..1); the shares of an environment's waves add up to 1. */
  readonly traffic: number;
}

/** How traffic leaves an unhealthy region. */
export interface ResolvedFailover {
  readonly strategy: 'automatic' | 'manual';
  /** Fraction (0..1) of a region's health checks that must pass; below it the region fails over. */
  readonly healthThreshold: number;
  /** The longest a switchover may take. */
  readonly switchoverMs: number;
}

/** Where an environment deploys when it has hosts: its hosts by region, its waves, failover and rollback. */
export interface ResolvedFleet {
  /** Host names (keys of `ResolvedConfig.hosts`) by region, regions in wave order, hosts in file order. */
  readonly regions: Readonly<Record<string, readonly string[]>>;
  /** One per region, in the order they start (the primary first). */
  readonly waves: readonly ResolvedWave[];
  readonly failover: ResolvedFailover;
  /** `all`: a failed rollout rolls every region back; `region`: only the region that failed. */
  readonly rollback: 'all' | 'region';
}

/** A top-level environment the services are deployed to, with its deployment settings. */
export interface ResolvedServiceEnvironment extends ResolvedDeployment {
  readonly name: string;
  /** Absent when the platform picks a free port. */
  readonly port?: number;
  readonly approval: ResolvedApprovalProtection;
  /** Absent when the environment has no hosts (it runs on this machine). */
  readonly fleet?: ResolvedFleet;
  /** What is provisioned before the services deploy; absent without `infrastructure:`. */
  readonly infrastructure?: ResolvedInfrastructure;
  /** The pipeline policies of its deploy gate; absent without `protection:`. */
  readonly protection?: ResolvedProtection;
  /** Snapshotted before deploys, restored by `rollback --data`; absent without `databases:`. */
  readonly databases?: readonly ResolvedDatabase[];
  readonly path: ConfigPath;
}

/** A bump rule of `release.rules`; `breaking` says whether it matches breaking or non-breaking commits. */
export interface ResolvedReleaseRule {
  readonly type?: string;
  readonly scope?: string;
  readonly breaking: boolean;
  readonly bump: 'major' | 'minor' | 'patch' | 'none';
}

/** A monorepo package of `release.packages`. */
export interface ResolvedReleasePackage {
  readonly name: string;
  /** Relative to the repository root, without a trailing slash. */
  readonly path: string;
  readonly tagFormat: string;
}

/** The `release:` section with every default applied. */
export interface ResolvedRelease {
  readonly tagFormat: string;
  readonly initialVersion: string;
  readonly preMajor: 'major' | 'minor';
  readonly rules: readonly ResolvedReleaseRule[];
  readonly packages: readonly ResolvedReleasePackage[];
  readonly assets: readonly string[];
  readonly summarize?: { readonly command: string; readonly timeoutMs: number };
  readonly changelog: { readonly path: string; readonly others: boolean };
  readonly repositoryUrl?: string;
}

/** Settings every channel has: what it is sent, and how long one send may take. */
interface ResolvedChannelBase {
  readonly triggers: readonly Trigger[];
  readonly timeoutMs: number;
}

/** `gitops.notifications`: the channels by kind, secrets by their names. */
export interface ResolvedNotifications {
  readonly slack?: ResolvedChannelBase & { readonly webhook: string };
  readonly email?: ResolvedChannelBase & {
    readonly host: string;
    readonly port: number;
    readonly secure: boolean;
    readonly requireTLS: boolean;
    readonly user?: string;
    readonly password?: string;
    /** PEM file of extra certificates to trust, relative to the project directory. */
    readonly ca?: string;
    readonly from: string;
    readonly to: readonly string[];
  };
  readonly github?: ResolvedChannelBase & {
    readonly baseUrl: string;
    readonly repository: string;
    readonly token: string;
    /** Upload each job's recorded findings to GitHub code scanning. */
    readonly codeScanning: boolean;
  };
  readonly webhook?: ResolvedChannelBase & { readonly url: string; readonly secret?: string };
}

/** The `gitops:` section: where the desired state is and how it is applied. */
export interface ResolvedGitOps {
  readonly repository: {
    readonly url: string;
    readonly branch: string;
    /** Folder of the repository, without leading or trailing `/` (`''` is the top). */
    readonly path: string;
    /** Name of the secret holding the token of a private http(s) repository. */
    readonly token?: string;
    /** Name of the secret holding the private key of an SSH deploy key. */
    readonly sshKey?: string;
    /** Name of the secret holding the known_hosts lines of the SSH server. */
    readonly knownHosts?: string;
  };
  readonly sync: {
    readonly intervalMs: number;
    readonly prune: boolean;
    readonly selfHeal: boolean;
    /** Most services synced at once. */
    readonly parallel: number;
  };
  /** Who hears about what happens (absent: nobody). */
  readonly notifications?: ResolvedNotifications;
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
  /** `services.<id>.deploy.<env>`: the sections a service sets for one environment, by service then env. */
  readonly deployOverrides: Readonly<Record<string, Readonly<Record<string, Partial<ResolvedDeployment>>>>>;
  /** Release settings (every default when the file has no `release:`). */
  readonly release: ResolvedRelease;
  /** Every host of the file (top level and environments' own) by name; absent when the file has none. */
  readonly hosts?: Readonly<Record<string, ResolvedHost>>;
  /** Where the desired state is, when the project is run the GitOps way. */
  readonly gitops?: ResolvedGitOps;
  /** The delivery success targets of `slo:`; absent without it (DEFAULT_SLO applies). */
  readonly slo?: ResolvedSlo;
  /** The feature flags of `flags:`; absent without it. */
  readonly flags?: ResolvedFlags;
  /** Suppressions and the baseline branch of the findings gates; absent without `security:`. */
  readonly security?: ResolvedSecurity;
}
