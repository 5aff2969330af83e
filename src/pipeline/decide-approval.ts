/**
 * Deciding a deploy approval from any terminal or the API; the run waiting for it polls the store.
 * A gate in front of an infrastructure plan approves that plan: the approval binds to its hash, and
 * a plan a policy denies needs an admin's override with a written reason. An environment whose
 * `protection.approvers` asks for several approvers counts each approval as one vote, refuses a
 * second one by the same actor and, with `excludeStarter`, any by the run's starter.
 */
import { approvalEvents, approvalRefusal } from '../infra/approve-plan.js';
import { runInfraPlan } from '../infra/plan-record.js';
import { isStoreError } from '../store/errors.js';
import type { Approval, Run, Store } from '../store/store.js';
import { PipelineError } from './errors.js';
import { approvalRefusal as protectionRefusal, violation } from './protection/gate-rules.js';
import { readSnapshot } from './run-snapshot.js';
import { getRunOrThrow, isActive, runProcessAlive } from './stored-run.js';

/** How a decision went: the gate as it is now (still pending while it needs more approvals). */
export interface ApprovalOutcome {
  readonly runActive: boolean;
  readonly approval: Approval;
}

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
): Promise<ApprovalOutcome> {
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
  if (input.decision === 'approved') await refuseByProtection(store, run, approval, input.actor);
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
  const decided = await store.transaction(async (tx) => {
    const gate = await tx
      .decideApproval(input.runId, input.environment, {
        decision: input.decision,
        by: input.actor,
        comment: input.comment ?? null,
      })
      .catch((error: unknown) => {
        // Two approvals by one actor at once: the store counted one of them.
        if (!isStoreError(error, 'APPROVAL_VOTED')) throw error;
        const detail = `needs ${approval.required} distinct approvers, and ${input.actor} already approved`;
        const refused = violation(input.environment, 'approvers.required', detail);
        throw new PipelineError('PROTECTION_VIOLATION', refused.message, { cause: error });
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
        // A vote of a gate that needs several: how many it has now.
        ...(gate.required > 1 && input.decision === 'approved'
          ? { approvals: gate.votes.length, required: gate.required }
          : {}),
      },
    });
    // The infrastructure plan is approved with the gate, by its last approval.
    if (gate.status === 'approved' && plan && plan.status === 'planned')
      for (const event of approvalEvents(plan, planApproval)) await tx.appendEvent(event);
    return gate;
  });
  // A gitops sync's gate is picked up by the server's next reconcile pass, not by a run process.
  return { runActive: run.trigger === 'gitops' || runProcessAlive(run.pid), approval: decided };
}

// Refuses an approval the environment's `protection.approvers` does not count, recording why.
async function refuseByProtection(store: Store, run: Run, approval: Approval, actor: string): Promise<void> {
  const approvers = readSnapshot(run.plan)?.config.environments[approval.environment]?.protection?.approvers;
  if (!approvers) return;
  const refused = protectionRefusal({
    environment: approval.environment,
    approvers,
    runId: run.id,
    starter: run.actor,
    actor,
    approvedBy: approval.votes.map((vote) => vote.by),
  });
  if (!refused) return;
  await store.appendEvent({
    type: 'protection.blocked',
    actor,
    runId: run.id,
    environment: approval.environment,
    service: run.pipeline,
    commitSha: run.commitSha,
    data: { rule: refused.rule, message: refused.message },
  });
  throw new PipelineError('PROTECTION_VIOLATION', refused.message);
}
