// The approvals part of the store contract over Kysely: one gate per run and environment, decided exactly once.
import type { Kysely, Selectable } from 'kysely';
import { isForeignKeyViolation, toStoreError } from './driver-errors.js';
import { StoreError } from './errors.js';
import { runNotFound } from './run-queries.js';
import type { ApprovalsTable, Database } from './schema.js';
import type { Approval, ApprovalDecision, ApprovalStatus } from './store.js';

/** Maps an approvals row. */
function toApproval(row: Selectable<ApprovalsTable>): Approval {
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

/** Reads one approval. */
export async function getApproval(
  db: Kysely<Database>,
  runId: number,
  environment: string,
): Promise<Approval | undefined> {
  try {
    const row = await db
      .selectFrom('approvals')
      .selectAll()
      .where('run_id', '=', runId)
      .where('environment', '=', environment)
      .executeTakeFirst();
    return row === undefined ? undefined : toApproval(row);
  } catch (error) {
    throw toStoreError('reading an approval', error);
  }
}

/** Opens a pending gate requested at `now`, or returns the one already there; a missing run is NOT_FOUND. */
export async function requestApproval(
  db: Kysely<Database>,
  now: number,
  runId: number,
  environment: string,
): Promise<Approval> {
  try {
    await db
      .insertInto('approvals')
      .values({ run_id: runId, environment, status: 'pending', requested_at: now })
      .onConflict((oc) => oc.columns(['run_id', 'environment']).doNothing())
      .execute();
  } catch (error) {
    throw isForeignKeyViolation(error)
      ? runNotFound(runId, error)
      : toStoreError('requesting an approval', error);
  }
  const approval = await getApproval(db, runId, environment);
  if (approval === undefined) throw runNotFound(runId);
  return approval;
}

/** Decides a pending gate at `now`; APPROVAL_DECIDED when it was decided before, NOT_FOUND when never requested. */
export async function decideApproval(
  db: Kysely<Database>,
  now: number,
  runId: number,
  environment: string,
  decision: ApprovalDecision,
): Promise<Approval> {
  if (decision.decision !== 'approved' && decision.decision !== 'rejected') {
    throw new StoreError(
      'INVALID_INPUT',
      `decision must be 'approved' or 'rejected', got ${decision.decision}`,
    );
  }
  if (typeof decision.by !== 'string' || decision.by.trim().length === 0) {
    throw new StoreError('INVALID_INPUT', 'an approval decision needs a non-empty `by`');
  }
  let row: Selectable<ApprovalsTable> | undefined;
  try {
    // The status guard in the WHERE clause makes the decision atomic: of two racing
    // deciders exactly one updates the row, on both backends.
    row = await db
      .updateTable('approvals')
      .set({
        status: decision.decision,
        decided_at: now,
        decided_by: decision.by,
        comment: decision.comment ?? null,
      })
      .where('run_id', '=', runId)
      .where('environment', '=', environment)
      .where('status', '=', 'pending')
      .returningAll()
      .executeTakeFirst();
  } catch (error) {
    throw toStoreError('deciding an approval', error);
  }
  if (row !== undefined) return toApproval(row);
  const gate = `approval of run ${runId} for ${environment}`;
  const existing = await getApproval(db, runId, environment);
  if (existing === undefined) throw new StoreError('NOT_FOUND', `no ${gate} was requested`);
  throw new StoreError(
    'APPROVAL_DECIDED',
    `the ${gate} was already ${existing.status} by ${existing.decidedBy ?? 'someone'}`,
  );
}

/** Lists the approvals of a run in request order, ties by environment. */
export async function listApprovals(db: Kysely<Database>, runId: number): Promise<Approval[]> {
  try {
    const rows = await db
      .selectFrom('approvals')
      .selectAll()
      .where('run_id', '=', runId)
      .orderBy('requested_at', 'asc')
      .orderBy('environment', 'asc')
      .execute();
    return rows.map(toApproval);
  } catch (error) {
    throw toStoreError('listing approvals', error);
  }
}
