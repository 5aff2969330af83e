// The job runs part of the store contract over Kysely: one row per job of a run, inserted or updated in place.
import type { Insertable, Kysely, Selectable, Updateable } from 'kysely';
import type { AtomicWrite } from './atomic-write.js';
import { isForeignKeyViolation, toStoreError } from './driver-errors.js';
import { decodeObject, encodeJson } from './json-columns.js';
import { runNotFound } from './run-queries.js';
import type { Database, JobRunsTable } from './schema.js';
import type { JobRun, JobRunPatch, JobRunUpdate, JobStatus } from './store.js';

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

/** The patches of a batch with those of one job merged in order (later fields win). */
export function mergeJobRunPatches(patches: readonly JobRunUpdate[]): Map<string, JobRunPatch> {
  const merged = new Map<string, JobRunPatch>();
  for (const { jobKey, patch } of patches) {
    const earlier = merged.get(jobKey);
    merged.set(jobKey, earlier === undefined ? patch : { ...earlier, ...patch });
  }
  return merged;
}

/** Rows per INSERT when upserting job runs; stays far below both backends' bound-parameter limits. */
const JOB_RUN_BATCH = 500;

/**
 * Applies many job patches of one run in a few statements: patches of the same job merge in
 * order (later fields win), then jobs that set the same columns share one multi-row upsert.
 * All or none; a missing run is NOT_FOUND.
 */
export async function upsertJobRuns(
  write: AtomicWrite,
  runId: number,
  patches: readonly JobRunUpdate[],
): Promise<void> {
  if (patches.length === 0) return;
  const merged = mergeJobRunPatches(patches);
  const groups = new Map<string, Insertable<JobRunsTable>[]>();
  for (const [jobKey, patch] of merged) {
    const set = jobRunColumns(patch);
    const shape = Object.keys(set).sort().join(',');
    const row = { status: 'pending', attempts: 0, outputs: '{}', ...set, run_id: runId, job_key: jobKey };
    const group = groups.get(shape);
    if (group) group.push(row);
    else groups.set(shape, [row]);
  }
  try {
    await write(async (trx) => {
      for (const [shape, rows] of groups) {
        const columns = (shape === '' ? ['job_key'] : shape.split(',')) as (keyof JobRunsTable)[];
        for (let i = 0; i < rows.length; i += JOB_RUN_BATCH) {
          await trx
            .insertInto('job_runs')
            .values(rows.slice(i, i + JOB_RUN_BATCH))
            .onConflict((oc) =>
              oc
                .columns(['run_id', 'job_key'])
                .doUpdateSet((eb) => Object.fromEntries(columns.map((c) => [c, eb.ref(`excluded.${c}`)]))),
            )
            .execute();
        }
      }
    });
  } catch (error) {
    throw isForeignKeyViolation(error) ? runNotFound(runId, error) : toStoreError('saving job runs', error);
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
