// The rollouts part of the store contract over Kysely, kept apart from runs and events.
import type { Kysely, Selectable, Updateable } from 'kysely';
import { isUniqueViolation, toStoreError } from './driver-errors.js';
import { StoreError } from './errors.js';
import { decodeJson, decodeObject, encodeJson } from './json-columns.js';
import { claimable } from './lease-queries.js';
import type { Database, RolloutsTable } from './schema.js';
import type { NewRollout, Rollout, RolloutFilter, RolloutPatch, RolloutPhase } from './store.js';

const ACTIVE: readonly RolloutPhase[] = ['running', 'paused'];

/** Maps a rollouts row. */
function toRollout(row: Selectable<RolloutsTable>): Rollout {
  return {
    id: row.id,
    service: row.service,
    environment: row.environment,
    revision: row.revision,
    stableRevision: row.stable_revision,
    strategy: row.strategy,
    plan: decodeJson(row.plan),
    step: row.step,
    phase: row.phase as RolloutPhase,
    reason: row.reason,
    actor: row.actor,
    commitSha: row.commit_sha,
    startedAt: row.started_at,
    updatedAt: row.updated_at,
    finishedAt: row.finished_at,
    owner: row.owner,
    heartbeatAt: row.heartbeat_at,
    request: row.request,
    data: decodeObject(row.data),
  };
}

/** Inserts a rollout; the partial unique index turns a second active one into ROLLOUT_ACTIVE. */
export async function createRollout(db: Kysely<Database>, now: number, input: NewRollout): Promise<Rollout> {
  const plan = encodeJson(input.plan, 'plan');
  try {
    const row = await db
      .insertInto('rollouts')
      .values({
        service: input.service,
        environment: input.environment,
        revision: input.revision,
        stable_revision: input.stableRevision,
        strategy: input.strategy,
        plan,
        step: 0,
        phase: 'running',
        actor: input.actor,
        commit_sha: input.commitSha ?? null,
        started_at: now,
        updated_at: now,
        owner: input.owner ?? null,
        heartbeat_at: input.owner ? now : null,
        data: '{}',
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toRollout(row);
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new StoreError(
        'ROLLOUT_ACTIVE',
        `${input.service} already has a rollout in progress in ${input.environment}`,
        { cause: error },
      );
    }
    throw toStoreError('creating a rollout', error);
  }
}

/** Reads one rollout. */
export async function getRollout(db: Kysely<Database>, id: number): Promise<Rollout | undefined> {
  try {
    const row = await db.selectFrom('rollouts').selectAll().where('id', '=', id).executeTakeFirst();
    return row === undefined ? undefined : toRollout(row);
  } catch (error) {
    throw toStoreError('reading a rollout', error);
  }
}

/** Lists rollouts newest first. */
export async function listRollouts(db: Kysely<Database>, filter: RolloutFilter): Promise<Rollout[]> {
  try {
    let query = db.selectFrom('rollouts').selectAll().orderBy('id', 'desc');
    if (filter.service !== undefined) query = query.where('service', '=', filter.service);
    if (filter.environment !== undefined) query = query.where('environment', '=', filter.environment);
    if (filter.active === true) query = query.where('phase', 'in', ACTIVE);
    if (filter.active === false) query = query.where('phase', 'not in', ACTIVE);
    if (filter.limit !== undefined) query = query.limit(filter.limit);
    return (await query.execute()).map(toRollout);
  } catch (error) {
    throw toStoreError('listing rollouts', error);
  }
}

/** Applies a patch and stamps updated_at. */
export async function updateRollout(
  db: Kysely<Database>,
  now: number,
  id: number,
  patch: RolloutPatch,
): Promise<Rollout> {
  const set: Updateable<RolloutsTable> = { updated_at: now };
  if (patch.step !== undefined) set.step = patch.step;
  if (patch.phase !== undefined) set.phase = patch.phase;
  if (patch.reason !== undefined) set.reason = patch.reason;
  if (patch.finishedAt !== undefined) set.finished_at = patch.finishedAt;
  if (patch.owner !== undefined) set.owner = patch.owner;
  if (patch.heartbeatAt !== undefined) set.heartbeat_at = patch.heartbeatAt;
  if (patch.request !== undefined) set.request = patch.request;
  if (patch.data !== undefined) set.data = encodeJson(patch.data, 'data');
  let row: Selectable<RolloutsTable> | undefined;
  try {
    row = await db.updateTable('rollouts').set(set).where('id', '=', id).returningAll().executeTakeFirst();
  } catch (error) {
    throw toStoreError('updating a rollout', error);
  }
  if (row === undefined) throw new StoreError('NOT_FOUND', `rollout ${id} does not exist`);
  return toRollout(row);
}

/** Takes over a rollout whose controller is gone (or confirms the caller holds it). */
export async function claimRollout(
  db: Kysely<Database>,
  now: number,
  id: number,
  owner: string,
  staleBefore: number,
): Promise<boolean> {
  try {
    const result = await db
      .updateTable('rollouts')
      .set({ owner, heartbeat_at: now, updated_at: now })
      .where('id', '=', id)
      .where(claimable(owner, staleBefore))
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  } catch (error) {
    throw toStoreError('claiming a rollout', error);
  }
}
