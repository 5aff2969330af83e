/**
 * Deciding a deploy approval from any terminal or the API; the run waiting for it polls the store.
 * A gate in front of an infrastructure plan approves that plan: the approval binds to its hash, and
 * a plan a policy denies needs an admin's override with a written reason.
 */
import { approvalEvents, approvalRefusal } from '../infra/approve-plan.js';
import { runInfraPlan } from '../infra/plan-record.js';
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
    /** An admin's written reason to approve an infrastructure plan a policy denies. */
    override?: string;
    /** Whether the actor may override a policy deny (the server's admin role; the local user is). */
    admin?: boolean;
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
  const plan = await runInfraPlan(store, input.runId, input.environment);
  const planApproval = {
    actor: input.actor,
    admin: input.admin ?? true,
    ...(input.override !== undefined ? { override: input.override } : {}),
  };
  if (input.decision === 'approved' && plan) {
    const refusal = approvalRefusal(plan, planApproval);
    if (refusal) throw refusal;
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
      data: {
        ...(input.comment ? { comment: input.comment } : {}),
        ...(plan ? { infraPlan: plan.id, hash: plan.hash } : {}),
      },
    });
    if (input.decision === 'approved' && plan && plan.status === 'planned')
      for (const event of approvalEvents(plan, planApproval)) await tx.appendEvent(event);
  });
  // A gitops sync's gate is picked up by the server's next reconcile pass, not by a run process.
  return { runActive: run.trigger === 'gitops' || runProcessAlive(run.pid) };
}
