// Kysely table types of the state store: snake_case columns as stored, JSON columns read as text.
import type { Generated } from 'kysely';

/** The append-only event log. Times are epoch milliseconds, `data` is JSON text. */
export interface EventsTable {
  id: Generated<number>;
  type: string;
  time: number;
  actor: string;
  commit_sha: string | null;
  service: string | null;
  environment: string | null;
  run_id: number | null;
  subject: string | null;
  data: string;
}

/** Pipeline runs. */
export interface RunsTable {
  id: Generated<number>;
  pipeline: string;
  status: string;
  commit_sha: string | null;
  branch: string | null;
  actor: string;
  trigger: string;
  concurrency_group: string | null;
  plan: string;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  pid: number | null;
  heartbeat_at: number | null;
  owner: Generated<string | null>;
}

/** Jobs of a run, one row per (run_id, job_key). */
export interface JobRunsTable {
  run_id: number;
  job_key: string;
  stage: string | null;
  status: string;
  attempts: number;
  exit_code: number | null;
  started_at: number | null;
  finished_at: number | null;
  outputs: string;
  matrix: string | null;
  message: string | null;
}

/** Job output lines. */
export interface LogsTable {
  id: Generated<number>;
  run_id: number;
  job_key: string;
  attempt: number;
  stream: string;
  time: number;
  text: string;
}

/** Manual approval gates, one row per (run_id, environment). */
export interface ApprovalsTable {
  run_id: number;
  environment: string;
  status: string;
  requested_at: number;
  decided_at: number | null;
  decided_by: string | null;
  comment: string | null;
  /** Distinct approvals the gate needs. */
  required: Generated<number>;
  /** Approvals given so far; the gate is approved when it reaches `required`. */
  votes: Generated<number>;
}

/** One approver's approval of a gate that needs `required` of them, one row per actor. */
export interface ApprovalVotesTable {
  run_id: number;
  environment: string;
  actor: string;
  /** 1 for the gate's first approval, 2 for the second... */
  seq: number;
  voted_at: number;
  comment: string | null;
}

/** Rollouts: a revision of a service going into an environment, step by step. */
export interface RolloutsTable {
  id: Generated<number>;
  service: string;
  environment: string;
  revision: string;
  stable_revision: string | null;
  strategy: string;
  plan: string;
  step: number;
  phase: string;
  reason: string | null;
  actor: string;
  commit_sha: string | null;
  started_at: number;
  updated_at: number;
  finished_at: number | null;
  owner: string | null;
  heartbeat_at: number | null;
  request: string | null;
  data: string;
}

/** API tokens of the server; `hash` is the hex sha256 of the token. */
export interface TokensTable {
  id: Generated<number>;
  name: string;
  role: string;
  hash: string;
  created_at: number;
  created_by: string;
  last_used_at: number | null;
  revoked_at: number | null;
}

/** Webhook deliveries the server accepted, by the sender's delivery id. */
export interface WebhookDeliveriesTable {
  id: Generated<number>;
  delivery_id: string;
  event: string;
  received_at: number;
}

/** Projects registered with the server: a repository and the branch whose pushes start runs. */
export interface ProjectsTable {
  id: Generated<number>;
  name: string;
  repo: string;
  branch: string;
  created_at: number;
  created_by: string;
}

/** The notification outbox: one row per notification and channel, leased while it is sent. */
export interface NotificationDeliveriesTable {
  id: Generated<number>;
  idempotency_key: string;
  channel: string;
  trigger: string;
  payload: string;
  status: string;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  lease_owner: string | null;
  lease_expires_at: number | null;
  created_at: number;
  updated_at: number;
  delivered_at: number | null;
}

/**
 * One row per `pipelinerun.finished` event, written in the same transaction: the durations the
 * delivery figures read, narrow and in time order, instead of one scattered event row apiece.
 */
export interface PipelineDurationsTable {
  event_id: number;
  time: number;
  duration_ms: number | null;
  status: string | null;
  pipeline: string | null;
}

/** One row per environment whose infrastructure an operation holds (plan, apply, drift). */
export interface InfraLeasesTable {
  key: string;
  owner: string;
  operation: string;
  acquired_at: number;
  heartbeat_at: number;
}

/** One row per finding of a job of a run. */
export interface FindingsTable {
  id: Generated<number>;
  run_id: number;
  job_key: string;
  tool: string;
  rule: string;
  severity: string;
  message: string;
  file: string | null;
  line: number | null;
  col: number | null;
  fingerprint: string;
  fingerprint_source: string;
  status: string;
  suppression: string | null;
  created_at: number;
}

/** One row per database snapshot; `pruned_at` once retention deleted its file. */
export interface DatabaseSnapshotsTable {
  id: Generated<number>;
  environment: string;
  database: string;
  engine: string;
  service: string | null;
  revision: string | null;
  stable_revision: string | null;
  reason: string;
  file: string;
  format: string;
  bytes: number;
  sha256: string;
  tables: string;
  created_by: string;
  created_at: number;
  pruned_at: number | null;
  restored_at: number | null;
}

/** The whole database as Kysely sees it. */
export interface Database {
  events: EventsTable;
  runs: RunsTable;
  job_runs: JobRunsTable;
  logs: LogsTable;
  approvals: ApprovalsTable;
  approval_votes: ApprovalVotesTable;
  rollouts: RolloutsTable;
  tokens: TokensTable;
  webhook_deliveries: WebhookDeliveriesTable;
  projects: ProjectsTable;
  notification_deliveries: NotificationDeliveriesTable;
  pipeline_durations: PipelineDurationsTable;
  infra_leases: InfraLeasesTable;
  findings: FindingsTable;
  database_snapshots: DatabaseSnapshotsTable;
}
