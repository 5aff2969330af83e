// The state store contract: the append-only event log and pipeline run state, same on SQLite and PostgreSQL.
import type { DeliveryEvent, DeliveryEventFilter, PipelineDuration } from './delivery-queries.js';
import type { EventFilter, NewEvent, StoredEvent } from './event-records.js';
import type { InfraLeaseOperations } from './infra-leases.js';
import type { NotificationDeliveryOperations } from './notification-deliveries.js';
import type { FindingOperations } from './stored-findings.js';
import type { SnapshotOperations } from './stored-snapshots.js';

/** Source of the current time in epoch milliseconds; pass a fake one in tests. */
export interface Clock {
  now(): number;
}

/** Which database a store writes to. */
export type StoreBackend = 'sqlite' | 'postgres';

export type { EventFilter, NewEvent, StoredEvent } from './event-records.js';

/** Status of a pipeline run. */
export type RunStatus = 'queued' | 'running' | 'waiting' | 'success' | 'failure' | 'cancelled';

/** One pipeline run; `plan` is the planned DAG as JSON, `pid`/`heartbeatAt` name its owning process. */
export interface Run {
  readonly id: number;
  readonly pipeline: string;
  readonly status: RunStatus;
  readonly commitSha: string | null;
  readonly branch: string | null;
  readonly actor: string;
  readonly trigger: string;
  readonly concurrencyGroup: string | null;
  readonly plan: unknown;
  readonly createdAt: number;
  readonly startedAt: number | null;
  readonly finishedAt: number | null;
  readonly pid: number | null;
  readonly heartbeatAt: number | null;
  /** The lease holder (`host:pid:start`), renewed through `heartbeatAt`; null for runs made before leases. */
  readonly owner: string | null;
}

/** Input of createRun; `status` defaults to 'queued', `plan` to null. */
export interface NewRun {
  readonly pipeline: string;
  readonly actor: string;
  readonly trigger: string;
  readonly status?: RunStatus;
  readonly commitSha?: string | null;
  readonly branch?: string | null;
  readonly concurrencyGroup?: string | null;
  readonly plan?: unknown;
  readonly pid?: number | null;
  /** The lease holder; the run's heartbeat starts at its creation. */
  readonly owner?: string | null;
}

/** Fields updateRun may change; undefined leaves a field as is, null clears a nullable one. */
export type RunPatch = Partial<
  Pick<Run, 'status' | 'plan' | 'concurrencyGroup' | 'startedAt' | 'finishedAt' | 'pid' | 'heartbeatAt'>
>;

/** Filter for listRuns, which returns newest first. */
export interface RunFilter {
  readonly status?: RunStatus | readonly RunStatus[];
  readonly concurrencyGroup?: string;
  readonly commitSha?: string;
  readonly limit?: number;
}

/** Status of one job inside a run. */
export type JobStatus =
  | 'pending'
  | 'running'
  | 'success'
  | 'failure'
  | 'skipped'
  | 'cancelled'
  | 'timed_out'
  | 'waiting';

/** One job of a run, keyed by `jobKey` such as 'build/compile' or 'test[node=18]'. */
export interface JobRun {
  readonly runId: number;
  readonly jobKey: string;
  readonly stage: string | null;
  readonly status: JobStatus;
  readonly attempts: number;
  readonly exitCode: number | null;
  readonly startedAt: number | null;
  readonly finishedAt: number | null;
  readonly outputs: Readonly<Record<string, unknown>>;
  readonly matrix: Readonly<Record<string, unknown>> | null;
  readonly message: string | null;
}

/** One job's patch in a batch for upsertJobRuns. */
export interface JobRunUpdate {
  readonly jobKey: string;
  readonly patch: JobRunPatch;
}

/** One batch of a run's progress for writeRunProgress. */
export interface RunProgress {
  readonly logs: readonly NewLogLine[];
  readonly jobs: readonly JobRunUpdate[];
  readonly events: readonly NewEvent[];
}

/** Fields upsertJobRun sets; on insert the others default to pending, 0 attempts, {} outputs, null. */
export type JobRunPatch = Partial<Omit<JobRun, 'runId' | 'jobKey'>>;

/** Output stream of a log line; 'system' is Slipway's own commentary. */
export type LogStream = 'stdout' | 'stderr' | 'system';

/** One stored log line; `id` orders lines and lets readers resume with `afterId`. */
export interface LogLine {
  readonly id: number;
  readonly runId: number;
  readonly jobKey: string;
  readonly attempt: number;
  readonly stream: LogStream;
  readonly time: number;
  readonly text: string;
}

/** A log line to append; `attempt` defaults to 1 and `time` to the store clock. */
export type NewLogLine = Omit<LogLine, 'id' | 'attempt' | 'time'> & {
  readonly attempt?: number;
  readonly time?: number;
};

/** Options of readLogs, which returns lines in id order. */
export interface LogQuery {
  readonly jobKey?: string;
  readonly afterId?: number;
  readonly limit?: number;
}

/** Status of a manual approval gate. */
export type ApprovalStatus = 'pending' | 'approved' | 'rejected';

/** One approver's approval of a gate, in the order given. */
export interface ApprovalVote {
  readonly by: string;
  readonly at: number;
  readonly comment: string | null;
}

/** The approval gate of one run for one environment; `decidedBy` is who rejected it or gave its last approval. */
export interface Approval {
  readonly runId: number;
  readonly environment: string;
  readonly status: ApprovalStatus;
  readonly requestedAt: number;
  readonly decidedAt: number | null;
  readonly decidedBy: string | null;
  readonly comment: string | null;
  /** Distinct approvers the gate needs; it is approved once `votes` holds that many. */
  readonly required: number;
  readonly votes: readonly ApprovalVote[];
}

/** A decision on a pending approval: a rejection decides it, an approval is one vote of `required`. */
export interface ApprovalDecision {
  readonly decision: 'approved' | 'rejected';
  readonly by: string;
  readonly comment?: string | null;
}

/** Where a rollout is: `running` and `paused` are active (one per service and environment). */
export type RolloutPhase = 'running' | 'paused' | 'completed' | 'rolled_back' | 'aborted';

/** A rollout of one revision of a service into one environment: its plan and how far it got. */
export interface Rollout {
  readonly id: number;
  readonly service: string;
  readonly environment: string;
  readonly revision: string;
  readonly stableRevision: string | null;
  readonly strategy: string;
  readonly plan: unknown;
  /** Index of the step being applied (steps before it are done). */
  readonly step: number;
  readonly phase: RolloutPhase;
  readonly reason: string | null;
  readonly actor: string;
  readonly commitSha: string | null;
  readonly startedAt: number;
  readonly updatedAt: number;
  readonly finishedAt: number | null;
  /** The controller driving it (e.g. `pid:starttime`), and when it last said it is alive. */
  readonly owner: string | null;
  readonly heartbeatAt: number | null;
  /** A control request waiting for the controller: promote, promote_full, abort, pause, resume. */
  readonly request: string | null;
  /** Latest measurements and other controller data. */
  readonly data: Readonly<Record<string, unknown>>;
}

/** A rollout to start; phase starts `running` at step 0. */
export interface NewRollout {
  readonly service: string;
  readonly environment: string;
  readonly revision: string;
  readonly stableRevision: string | null;
  readonly strategy: string;
  readonly plan: unknown;
  readonly actor: string;
  readonly commitSha?: string | null;
  readonly owner?: string | null;
}

/** Fields of a rollout that can change. */
export type RolloutPatch = Partial<
  Pick<Rollout, 'step' | 'phase' | 'reason' | 'finishedAt' | 'owner' | 'heartbeatAt' | 'request' | 'data'>
>;

/** Filter for listRollouts, which returns newest first. */
export interface RolloutFilter {
  readonly service?: string;
  readonly environment?: string;
  readonly active?: boolean;
  readonly limit?: number;
}

/** What an API token may do, in increasing order of power. */
export type TokenRole = 'viewer' | 'deployer' | 'approver' | 'admin';

/** An API token as stored, without its hash (which never leaves the store). */
export interface ApiToken {
  readonly id: number;
  readonly name: string;
  readonly role: TokenRole;
  readonly createdAt: number;
  readonly createdBy: string;
  readonly lastUsedAt: number | null;
  readonly revokedAt: number | null;
}

/** A token to record: `hash` is the hex sha256 of the secret token, which is never stored. */
export interface NewApiToken {
  readonly name: string;
  readonly role: TokenRole;
  readonly hash: string;
  readonly createdBy: string;
}

/** A webhook delivery to remember: the sender's delivery id (GitHub's `X-GitHub-Delivery`) and event. */
export interface NewWebhookDelivery {
  readonly deliveryId: string;
  readonly event: string;
}

/** A project registered with the server: pushes to `branch` of `repo` start its pipeline. */
export interface Project {
  readonly id: number;
  readonly name: string;
  /** A repository URL (https, ssh, git, file) or an absolute local path. */
  readonly repo: string;
  readonly branch: string;
  readonly createdAt: number;
  readonly createdBy: string;
}

/** A project to register. */
export interface NewProject {
  readonly name: string;
  readonly repo: string;
  readonly branch: string;
  readonly createdBy: string;
}

/** Everything a store can read and write; also what a transaction callback receives. */
export interface StoreOperations
  extends NotificationDeliveryOperations,
    InfraLeaseOperations,
    FindingOperations,
    SnapshotOperations {
  /** Appends one event to the log; throws StoreError EVENT_INVALID on bad input. There is no update or delete. */
  appendEvent(event: NewEvent): Promise<StoredEvent>;
  /** Appends events in order, all or none (one statement per few hundred); EVENT_INVALID if any is bad. */
  appendEvents(events: readonly NewEvent[]): Promise<void>;
  /** Lists events matching `filter`, ascending by id. */
  listEvents(filter?: EventFilter): Promise<StoredEvent[]>;
  /** The delivery figures' reads: deploy and incident events (ascending by id), pipeline run durations. */
  listDeliveryEvents(filter: DeliveryEventFilter): Promise<DeliveryEvent[]>;
  listPipelineDurations(window: {
    since: number;
    until: number;
    pipeline?: string;
  }): Promise<PipelineDuration[]>;

  /** Creates a run stamped with the store clock. */
  createRun(input: NewRun): Promise<Run>;
  /** Reads one run, or undefined. */
  getRun(id: number): Promise<Run | undefined>;
  /** Lists runs newest first. */
  listRuns(filter?: RunFilter): Promise<Run[]>;
  /** Changes a run (not read back: a big pipeline's plan is megabytes); NOT_FOUND when it does not exist. */
  updateRun(id: number, patch: RunPatch): Promise<void>;

  /** Inserts or updates one job of a run; throws StoreError NOT_FOUND when the run does not exist. */
  upsertJobRun(runId: number, jobKey: string, patch: JobRunPatch): Promise<JobRun>;
  /** Applies many job patches of a run at once, all or none; patches of one job merge in order. */
  upsertJobRuns(runId: number, patches: readonly JobRunUpdate[]): Promise<void>;
  /** Lists the jobs of a run in job key order. */
  listJobRuns(runId: number): Promise<JobRun[]>;
  /**
   * Stores one batch of a run's progress, all or none: its log lines, then its job patches (merged
   * as upsertJobRuns does), then its events. The pipeline's hot path: one call per batch.
   */
  writeRunProgress(runId: number, progress: RunProgress): Promise<void>;

  /** Appends log lines in one transaction. */
  appendLogs(entries: readonly NewLogLine[]): Promise<void>;
  /** Reads the log lines of a run in id order; pass the last id seen as `afterId` to tail. */
  readLogs(runId: number, query?: LogQuery): Promise<LogLine[]>;

  /** Opens the gate of a run for an environment (needing `required` approvals, default 1); returns the existing one when already requested. */
  requestApproval(runId: number, environment: string, options?: { required?: number }): Promise<Approval>;
  /**
   * Rejects a pending gate, or adds one approval and approves it at its `required` count, atomically;
   * throws APPROVAL_DECIDED if already decided, APPROVAL_VOTED if `by` approved it before, NOT_FOUND if never requested.
   */
  decideApproval(runId: number, environment: string, decision: ApprovalDecision): Promise<Approval>;
  /** Reads one approval, or undefined when never requested. */
  getApproval(runId: number, environment: string): Promise<Approval | undefined>;
  /** Lists the approvals of a run in request order. */
  listApprovals(runId: number): Promise<Approval[]>;

  /** Starts a rollout; throws StoreError ROLLOUT_ACTIVE when the service already has an active one in that environment. */
  createRollout(input: NewRollout): Promise<Rollout>;
  /** Reads one rollout, or undefined. */
  getRollout(id: number): Promise<Rollout | undefined>;
  /** Lists rollouts newest first. */
  listRollouts(filter?: RolloutFilter): Promise<Rollout[]>;
  /** Changes a rollout (stamping updatedAt); throws StoreError NOT_FOUND when it does not exist. */
  updateRollout(id: number, patch: RolloutPatch): Promise<Rollout>;
  /**
   * Makes `owner` the rollout's controller if it has none, already is it, or the current one's
   * heartbeat is older than `staleBefore`; returns whether `owner` holds it now.
   */
  claimRollout(id: number, owner: string, staleBefore: number): Promise<boolean>;
  /**
   * Renews or takes the lease of an active (queued, running or waiting) run: succeeds when the run
   * has no owner, already is `owner`'s, or its heartbeat is older than `staleBefore`.
   */
  claimRun(id: number, owner: string, staleBefore: number): Promise<boolean>;

  /** Records a token; throws StoreError INVALID_INPUT for a bad role or hash, or a name already used (even revoked). */
  createToken(input: NewApiToken): Promise<ApiToken>;
  /** The active (not revoked) token with this hash, or undefined. */
  findTokenByHash(hash: string): Promise<ApiToken | undefined>;
  /** Every token, revoked ones included, in creation order. */
  listTokens(): Promise<ApiToken[]>;
  /** Revokes the active token named `name`; throws StoreError NOT_FOUND when there is none. */
  revokeToken(name: string): Promise<ApiToken>;
  /** Stamps a token's last use with the store clock. */
  touchToken(id: number): Promise<void>;

  /** Records a webhook delivery; false when its id was recorded before. Throws INVALID_INPUT for an empty id or event. */
  recordWebhookDelivery(input: NewWebhookDelivery): Promise<boolean>;

  /** Registers a project; throws StoreError INVALID_INPUT for an empty or bad field or a name already taken. */
  createProject(input: NewProject): Promise<Project>;
  /** Every registered project in name order. */
  listProjects(): Promise<Project[]>;
  /** Unregisters a project; throws StoreError NOT_FOUND when there is none by that name. */
  removeProject(name: string): Promise<Project>;
}

/** The state store: operations, transactions and lifecycle. */
export interface Store extends StoreOperations {
  /** Which database this store writes to. */
  readonly backend: StoreBackend;
  /**
   * Runs `fn` in one database transaction: all of its writes commit together or, when it
   * throws, none do. Inside `fn` use only `tx`; calling the outer store can deadlock on SQLite.
   * Keep it short: on SQLite it holds the write lock that other slipway processes wait for.
   */
  transaction<T>(fn: (tx: StoreOperations) => Promise<T>): Promise<T>;
  /** Closes the connection(s); the store is unusable afterwards. Calling it again does nothing. */
  close(): Promise<void>;
}
