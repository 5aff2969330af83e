// Conversions between snake_case rows and the camelCase store types, including JSON columns.
import type { Selectable, Updateable } from 'kysely';
import { StoreError } from './errors.js';
import type { EventType } from './event-types.js';
import type { ApprovalsTable, EventsTable, JobRunsTable, LogsTable, RunsTable } from './schema.js';
import type {
  Approval,
  ApprovalStatus,
  JobRun,
  JobRunPatch,
  JobStatus,
  LogLine,
  LogStream,
  Run,
  RunPatch,
  RunStatus,
  StoredEvent,
} from './store.js';

/** Serializes a value for a JSON column; throws INVALID_INPUT for values JSON cannot hold. */
export function encodeJson(value: unknown, what: string): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value ?? null);
  } catch (error) {
    throw new StoreError('INVALID_INPUT', `${what} is not JSON-serializable`, { cause: error });
  }
  if (text === undefined) throw new StoreError('INVALID_INPUT', `${what} is not JSON-serializable`);
  return text;
}

/** Parses a JSON column; both backends hand JSON back as text (see postgres-dialect.ts). */
function decodeJson(text: string): unknown {
  return JSON.parse(text);
}

function decodeObject(text: string): Readonly<Record<string, unknown>> {
  return decodeJson(text) as Readonly<Record<string, unknown>>;
}

/** Maps an events row. */
export function toStoredEvent(row: Selectable<EventsTable>): StoredEvent {
  return {
    id: row.id,
    type: row.type as EventType,
    time: row.time,
    actor: row.actor,
    commitSha: row.commit_sha,
    service: row.service,
    environment: row.environment,
    runId: row.run_id,
    subject: row.subject,
    data: decodeObject(row.data),
  };
}

/** Maps a runs row. */
export function toRun(row: Selectable<RunsTable>): Run {
  return {
    id: row.id,
    pipeline: row.pipeline,
    status: row.status as RunStatus,
    commitSha: row.commit_sha,
    branch: row.branch,
    actor: row.actor,
    trigger: row.trigger,
    concurrencyGroup: row.concurrency_group,
    plan: decodeJson(row.plan),
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    pid: row.pid,
    heartbeatAt: row.heartbeat_at,
    owner: row.owner,
  };
}

/** Maps a job_runs row. */
export function toJobRun(row: Selectable<JobRunsTable>): JobRun {
  return {
    runId: row.run_id,
    jobKey: row.job_key,
    stage: row.stage,
    status: row.status as JobStatus,
    attempts: row.attempts,
    exitCode: row.exit_code,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    outputs: decodeObject(row.outputs),
    matrix: row.matrix === null ? null : decodeObject(row.matrix),
    message: row.message,
  };
}

/** Maps a logs row. */
export function toLogLine(row: Selectable<LogsTable>): LogLine {
  return {
    id: row.id,
    runId: row.run_id,
    jobKey: row.job_key,
    attempt: row.attempt,
    stream: row.stream as LogStream,
    time: row.time,
    text: row.text,
  };
}

/** Maps an approvals row. */
export function toApproval(row: Selectable<ApprovalsTable>): Approval {
  return {
    runId: row.run_id,
    environment: row.environment,
    status: row.status as ApprovalStatus,
    requestedAt: row.requested_at,
    decidedAt: row.decided_at,
    decidedBy: row.decided_by,
    comment: row.comment,
  };
}

/** The runs columns a RunPatch sets; absent fields stay untouched. */
export function runColumns(patch: RunPatch): Updateable<RunsTable> {
  const set: Updateable<RunsTable> = {};
  if (patch.status !== undefined) set.status = patch.status;
  if (patch.plan !== undefined) set.plan = encodeJson(patch.plan, 'plan');
  if (patch.concurrencyGroup !== undefined) set.concurrency_group = patch.concurrencyGroup;
  if (patch.startedAt !== undefined) set.started_at = patch.startedAt;
  if (patch.finishedAt !== undefined) set.finished_at = patch.finishedAt;
  if (patch.pid !== undefined) set.pid = patch.pid;
  if (patch.heartbeatAt !== undefined) set.heartbeat_at = patch.heartbeatAt;
  return set;
}

/** The job_runs columns a JobRunPatch sets; absent fields stay untouched. */
export function jobRunColumns(patch: JobRunPatch): Updateable<JobRunsTable> {
  const set: Updateable<JobRunsTable> = {};
  if (patch.stage !== undefined) set.stage = patch.stage;
  if (patch.status !== undefined) set.status = patch.status;
  if (patch.attempts !== undefined) set.attempts = patch.attempts;
  if (patch.exitCode !== undefined) set.exit_code = patch.exitCode;
  if (patch.startedAt !== undefined) set.started_at = patch.startedAt;
  if (patch.finishedAt !== undefined) set.finished_at = patch.finishedAt;
  if (patch.outputs !== undefined) set.outputs = encodeJson(patch.outputs, 'outputs');
  if (patch.matrix !== undefined)
    set.matrix = patch.matrix === null ? null : encodeJson(patch.matrix, 'matrix');
  if (patch.message !== undefined) set.message = patch.message;
  return set;
}
