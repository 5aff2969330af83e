// The job runs part of the store contract over Kysely: one row per job of a run, inserted or updated in place.
import type { Kysely, Selectable, Updateable } from 'kysely';
import { isForeignKeyViolation, toStoreError } from './driver-errors.js';
import { decodeObject, encodeJson } from './json-columns.js';
import { runNotFound } from './run-queries.js';
import type { Database, JobRunsTable } from './schema.js';
import type { JobRun, JobRunPatch, JobStatus } from './store.js';

/** Maps a job_runs row. */
function toJobRun(row: Selectable<JobRunsTable>): JobRun {
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

/** The job_runs columns a JobRunPatch sets; absent fields stay untouched. */
function jobRunColumns(patch: JobRunPatch): Updateable<JobRunsTable> {
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

/** Inserts or patches one job in a single statement; a missing run is NOT_FOUND. */
export async function upsertJobRun(
  db: Kysely<Database>,
  runId: number,
  jobKey: string,
  patch: JobRunPatch,
): Promise<JobRun> {
  const set = jobRunColumns(patch);
  try {
    const row = await db
      .insertInto('job_runs')
      .values({ status: 'pending', attempts: 0, outputs: '{}', ...set, run_id: runId, job_key: jobKey })
      .onConflict((oc) =>
        oc
          .columns(['run_id', 'job_key'])
          // A no-op assignment when the patch is empty, so RETURNING still yields the row.
          .doUpdateSet(Object.keys(set).length > 0 ? set : { job_key: (eb) => eb.ref('excluded.job_key') }),
      )
      .returningAll()
      .executeTakeFirstOrThrow();
    return toJobRun(row);
  } catch (error) {
    throw isForeignKeyViolation(error) ? runNotFound(runId, error) : toStoreError('saving a job run', error);
  }
}

/** Lists the jobs of a run in job key order. */
export async function listJobRuns(db: Kysely<Database>, runId: number): Promise<JobRun[]> {
  try {
    const rows = await db
      .selectFrom('job_runs')
      .selectAll()
      .where('run_id', '=', runId)
      .orderBy('job_key', 'asc')
      .execute();
    return rows.map(toJobRun);
  } catch (error) {
    throw toStoreError('listing job runs', error);
  }
}
