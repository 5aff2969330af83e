// The pipeline runs part of the store contract over Kysely: one row per run, with its plan and its lease.
import type { Kysely, Selectable, Updateable } from 'kysely';
import { toStoreError } from './driver-errors.js';
import { StoreError } from './errors.js';
import { decodeJson, encodeJson } from './json-columns.js';
import { claimable } from './lease-queries.js';
import type { Database, RunsTable } from './schema.js';
import type { NewRun, Run, RunFilter, RunPatch, RunStatus } from './store.js';

/** The statuses of a run still in progress, the only ones whose lease can be taken. */
const ACTIVE: readonly RunStatus[] = ['queued', 'running', 'waiting'];

/** The NOT_FOUND error for a missing run, also raised by the tables that reference runs. */
export function runNotFound(runId: number, cause?: unknown): StoreError {
  return new StoreError('NOT_FOUND', `run ${runId} does not exist`, cause === undefined ? {} : { cause });
}

/** Every runs column but `plan`, which a write never reads back (a big pipeline's is megabytes). */
const WITHOUT_PLAN = [
  'id',
  'pipeline',
  'status',
  'commit_sha',
  'branch',
  'actor',
  'trigger',
  'concurrency_group',
  'created_at',
  'started_at',
  'finished_at',
  'pid',
  'heartbeat_at',
  'owner',
] as const;

/** Maps a runs row; `plan` is the column's JSON text. */
function toRun(row: Omit<Selectable<RunsTable>, 'plan'>, planText: string): Run {
  // The plan of a big pipeline is a large document: decoded when read, not each time a run
  // row is listed (a heartbeat of a 1,000-job run decoded it in about 10 ms).
  let plan: unknown;
  let decoded = false;
  return {
    get plan(): unknown {
      if (!decoded) {
        plan = decodeJson(planText);
        decoded = true;
      }
      return plan;
    },
    id: row.id,
    pipeline: row.pipeline,
    status: row.status as RunStatus,
    commitSha: row.commit_sha,
    branch: row.branch,
    actor: row.actor,
    trigger: row.trigger,
    concurrencyGroup: row.concurrency_group,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    pid: row.pid,
    heartbeatAt: row.heartbeat_at,
    owner: row.owner,
  };
}

const fromRow = (row: Selectable<RunsTable>): Run => toRun(row, row.plan);

/** The runs columns a RunPatch sets; absent fields stay untouched. */
function runColumns(patch: RunPatch): Updateable<RunsTable> {
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

/** Inserts a run created at `now`; an owner's heartbeat starts then too. */
export async function createRun(db: Kysely<Database>, now: number, input: NewRun): Promise<Run> {
  const plan = encodeJson(input.plan, 'plan');
  try {
    const row = await db
      .insertInto('runs')
      .values({
        pipeline: input.pipeline,
        status: input.status ?? 'queued',
        commit_sha: input.commitSha ?? null,
        branch: input.branch ?? null,
        actor: input.actor,
        trigger: input.trigger,
        concurrency_group: input.concurrencyGroup ?? null,
        plan,
        created_at: now,
        pid: input.pid ?? null,
        owner: input.owner ?? null,
        heartbeat_at: input.owner ? now : null,
      })
      .returning(WITHOUT_PLAN)
      .executeTakeFirstOrThrow();
    // The plan is what was just written: not read back.
    return toRun(row, plan);
  } catch (error) {
    throw toStoreError('creating a run', error);
  }
}

/** Reads one run. */
export async function getRun(db: Kysely<Database>, id: number): Promise<Run | undefined> {
  try {
    const row = await db.selectFrom('runs').selectAll().where('id', '=', id).executeTakeFirst();
    return row === undefined ? undefined : fromRow(row);
  } catch (error) {
    throw toStoreError('reading a run', error);
  }
}

/** Lists runs newest first; an empty status list matches nothing. */
export async function listRuns(db: Kysely<Database>, filter: RunFilter): Promise<Run[]> {
  const statuses = typeof filter.status === 'string' ? [filter.status] : filter.status;
  if (statuses !== undefined && statuses.length === 0) return [];
  try {
    let query = db.selectFrom('runs').selectAll().orderBy('id', 'desc');
    if (statuses !== undefined) query = query.where('status', 'in', statuses);
    if (filter.concurrencyGroup !== undefined) {
      query = query.where('concurrency_group', '=', filter.concurrencyGroup);
    }
    if (filter.commitSha !== undefined) query = query.where('commit_sha', '=', filter.commitSha);
    if (filter.limit !== undefined) query = query.limit(filter.limit);
    return (await query.execute()).map(fromRow);
  } catch (error) {
    throw toStoreError('listing runs', error);
  }
}

/** Applies a patch (nothing is read back); a missing run is NOT_FOUND, an empty patch included. */
export async function updateRun(db: Kysely<Database>, id: number, patch: RunPatch): Promise<void> {
  const set = runColumns(patch);
  let row: { id: number } | undefined;
  try {
    row = await (Object.keys(set).length === 0
      ? db.selectFrom('runs').select('id').where('id', '=', id).executeTakeFirst()
      : db.updateTable('runs').set(set).where('id', '=', id).returning('id').executeTakeFirst());
  } catch (error) {
    throw toStoreError('updating a run', error);
  }
  if (row === undefined) throw runNotFound(id);
}

/** Renews or takes the lease of an active run in one conditional UPDATE. */
export async function claimRun(
  db: Kysely<Database>,
  now: number,
  id: number,
  owner: string,
  staleBefore: number,
): Promise<boolean> {
  try {
    const result = await db
      .updateTable('runs')
      .set({ owner, heartbeat_at: now })
      .where('id', '=', id)
      .where('status', 'in', ACTIVE)
      .where(claimable(owner, staleBefore))
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  } catch (error) {
    throw toStoreError('claiming a run', error);
  }
}
