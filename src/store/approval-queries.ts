// The approvals part of the store contract over Kysely: one gate per run and environment, decided
// once: by a rejection, or by its `required`-th approval from a distinct actor (each one a vote row).
import { type Kysely, type Selectable, sql } from 'kysely';
import type { AtomicWrite } from './atomic-write.js';
import { isForeignKeyViolation, toStoreError } from './driver-errors.js';
import { StoreError } from './errors.js';
import { runNotFound } from './run-queries.js';
import type { ApprovalsTable, Database } from './schema.js';
import type { Approval, ApprovalDecision, ApprovalStatus, ApprovalVote } from './store.js';

/** Maps an approvals row and its votes. */
function toApproval(row: Selectable<ApprovalsTable>, votes: readonly ApprovalVote[]): Approval {
  return {
    runId: row.run_id,
    environment: row.environment,
    status: row.status as ApprovalStatus,
    requestedAt: row.requested_at,
    decidedAt: row.decided_at,
    decidedBy: row.decided_by,
    comment: row.comment,
    required: row.required,
    votes,
  };
}

/** The votes of a run's gates (of one environment when given), by environment, in the order given. */
async function votesOf(
  db: Kysely<Database>,
  runId: number,
  environment?: string,
): Promise<Map<string, ApprovalVote[]>> {
  let query = db
    .selectFrom('approval_votes')
    .select(['environment', 'actor', 'voted_at', 'comment'])
    .where('run_id', '=', runId);
  if (environment !== undefined) query = query.where('environment', '=', environment);
  const byEnvironment = new Map<string, ApprovalVote[]>();
  for (const row of await query.orderBy('environment').orderBy('seq').execute()) {
    const vote = { by: row.actor, at: row.voted_at, comment: row.comment };
    const list = byEnvironment.get(row.environment);
    if (list) list.push(vote);
    else byEnvironment.set(row.environment, [vote]);
  }
  return byEnvironment;
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
    if (row === undefined) return undefined;
    return toApproval(row, (await votesOf(db, runId, environment)).get(environment) ?? []);
  } catch (error) {
    throw toStoreError('reading an approval', error);
  }
}

/** Opens a pending gate needing `required` approvals, requested at `now`, or returns the one already there; a missing run is NOT_FOUND. */
export async function requestApproval(
  db: Kysely<Database>,
  now: number,
  runId: number,
  environment: string,
  required: number,
): Promise<Approval> {
  if (!Number.isSafeInteger(required) || required < 1)
    throw new StoreError(
      'INVALID_INPUT',
      `an approval needs a positive whole number of approvers, got ${required}`,
    );
  try {
    await db
      .insertInto('approvals')
      .values({ run_id: runId, environment, status: 'pending', requested_at: now, required })
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

/**
 * Decides a pending gate at `now`: a rejection at once, an approval as one vote that approves the
 * gate when it is the `required`-th. APPROVAL_DECIDED when it was decided before, APPROVAL_VOTED
 * when `by` already approved it, NOT_FOUND when never requested.
 */
export async function decideApproval(
  write: AtomicWrite,
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
  const comment = decision.comment ?? null;
  try {
    return await write(async (db) => {
      // The status guard in the WHERE clause makes the decision atomic: of two racing deciders
      // exactly one updates a pending row; the tally is counted in the same statement, under the
      // row's lock, so two approvals at once both count on both backends.
      const gate = db
        .updateTable('approvals')
        .where('run_id', '=', runId)
        .where('environment', '=', environment)
        .where('status', '=', 'pending');
      const completes = sql<boolean>`votes + 1 >= required`;
      const row = await (decision.decision === 'rejected'
        ? gate.set({ status: 'rejected', decided_at: now, decided_by: decision.by, comment })
        : gate.set({
            votes: sql`votes + 1`,
            status: sql`CASE WHEN ${completes} THEN 'approved' ELSE status END`,
            decided_at: sql`CASE WHEN ${completes} THEN ${now} ELSE decided_at END`,
            decided_by: sql`CASE WHEN ${completes} THEN ${decision.by} ELSE decided_by END`,
            comment: sql`CASE WHEN ${completes} THEN ${comment} ELSE comment END`,
          })
      )
        .returningAll()
        .executeTakeFirst();
      if (row === undefined) throw await undecidable(db, runId, environment);
      if (decision.decision === 'approved') {
        const vote = await db
          .insertInto('approval_votes')
          .values({ run_id: runId, environment, actor: decision.by, seq: row.votes, voted_at: now, comment })
          .onConflict((oc) => oc.columns(['run_id', 'environment', 'actor']).doNothing())
          .returning('actor')
          .executeTakeFirst();
        // Throwing rolls the tally back with the vote.
        if (vote === undefined)
          throw new StoreError(
            'APPROVAL_VOTED',
            `${decision.by} already approved ${environment} of run ${runId}: it needs ${row.required} distinct approvers`,
          );
      }
      return toApproval(row, (await votesOf(db, runId, environment)).get(environment) ?? []);
    });
  } catch (error) {
    throw toStoreError('deciding an approval', error);
  }
}

// Why a gate could not be decided: never requested, or decided before.
async function undecidable(db: Kysely<Database>, runId: number, environment: string): Promise<StoreError> {
  const gate = `approval of run ${runId} for ${environment}`;
  const existing = await getApproval(db, runId, environment);
  if (existing === undefined) return new StoreError('NOT_FOUND', `no ${gate} was requested`);
  return new StoreError(
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
    if (rows.length === 0) return [];
    const votes = await votesOf(db, runId);
    return rows.map((row) => toApproval(row, votes.get(row.environment) ?? []));
  } catch (error) {
    throw toStoreError('listing approvals', error);
  }
}
