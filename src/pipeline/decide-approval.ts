/** Deciding a deploy approval from any terminal or the API; the run waiting for it polls the store. */
import type { Store } from '../store/store.js';
import { PipelineError } from './errors.js';
import { getRunOrThrow, isActive, runProcessAlive } from './stored-run.js';

/** Records an approval decision for a run's environment; the waiting run picks it up. */
export async function decideApproval(
  store: Store,
  input: {
    runId: number;
    environment: string;
    decision: 'approved' | 'rejected';
    actor: string;
    comment?: string;
  },
): Promise<{ runActive: boolean }> {
  const run = await getRunOrThrow(store, input.runId);
  if (!isActive(run))
    throw new PipelineError(
      'RUN_FINISHED',
      `run ${input.runId} has ended (${run.status}): its gates can no longer be decided`,
    );
  const approval = await store.getApproval(input.runId, input.environment);
  if (!approval) {
    const pending = (await store.listApprovals(input.runId))
      .filter((a) => a.status === 'pending')
      .map((a) => a.environment);
    throw new PipelineError(
      'APPROVAL_NOT_FOUND',
      `run ${input.runId} is not waiting for approval of '${input.environment}'${pending.length > 0 ? ` (it waits for: ${pending.join(', ')})` : ''}`,
    );
  }
  if (approval.status !== 'pending') {
    throw new PipelineError(
      'APPROVAL_DECIDED',
      `'${input.environment}' of run ${input.runId} was already ${approval.status} by ${approval.decidedBy}`,
    );
  }
  await store.transaction(async (tx) => {
    await tx.decideApproval(input.runId, input.environment, {
      decision: input.decision,
      by: input.actor,
      comment: input.comment ?? null,
    });
    await tx.appendEvent({
      type: input.decision === 'approved' ? 'approval.granted' : 'approval.rejected',
      actor: input.actor,
      runId: input.runId,
      environment: input.environment,
      service: run.pipeline,
      commitSha: run.commitSha,
      data: input.comment ? { comment: input.comment } : {},
    });
  });
  // A gitops sync's gate is picked up by the server's next reconcile pass, not by a run process.
  return { runActive: run.trigger === 'gitops' || runProcessAlive(run.pid) };
}
