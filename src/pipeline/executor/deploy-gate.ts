/**
 * Deploy environments: the manual approval gate (request it, wait polling the store until someone
 * decides it from any terminal) and the job an environment's `run` command becomes.
 */
import type { ResolvedJob } from '../../config/resolved.js';
import type { Run } from '../../store/store.js';
import type { PlannedDeployNode } from '../plan.js';
import type { ExecuteDeps } from './execute-run.js';

/** How an approval wait ended. */
export type GateDecision = 'cancelled' | { readonly status: 'approved' | 'rejected'; readonly by: string };

/** The approval gate of one run; the run shows `waiting` while any environment waits. */
export function createApprovalGate(
  deps: Pick<ExecuteDeps, 'store' | 'reporter' | 'sleep' | 'pollMs' | 'signal' | 'approveCommand'>,
  run: Run,
  service: string,
): { wait(node: PlannedDeployNode): Promise<GateDecision> } {
  let waiting = 0;
  const cancelled = () => deps.signal.aborted;
  return {
    async wait(node) {
      const existing = await deps.store.getApproval(run.id, node.environment);
      if (!existing) {
        await deps.store.requestApproval(run.id, node.environment);
        await deps.store.appendEvent({
          type: 'approval.requested',
          actor: run.actor,
          runId: run.id,
          environment: node.environment,
          service,
          commitSha: run.commitSha,
          data: {},
        });
      }
      let approval = existing ?? (await deps.store.getApproval(run.id, node.environment));
      if (approval?.status === 'pending') {
        waiting++;
        await deps.store.upsertJobRun(run.id, node.key, { stage: node.stage, status: 'waiting' });
        await deps.store.updateRun(run.id, { status: 'waiting' });
        deps.reporter.report({
          type: 'approval.waiting',
          run: run.id,
          environment: node.environment,
          command: deps.approveCommand(run.id, node.environment),
        });
        while (approval?.status === 'pending' && !cancelled()) {
          await deps.sleep(deps.pollMs, deps.signal);
          approval = await deps.store.getApproval(run.id, node.environment);
        }
        waiting--;
        if (waiting === 0 && !cancelled()) await deps.store.updateRun(run.id, { status: 'running' });
      }
      if (!approval || approval.status === 'pending') return 'cancelled';
      deps.reporter.report({
        type: 'approval.decided',
        run: run.id,
        environment: node.environment,
        decision: approval.status,
        by: approval.decidedBy ?? 'unknown',
      });
      return { status: approval.status, by: approval.decidedBy ?? 'unknown' };
    },
  };
}

/** The job a deploy environment runs: its `run` command, once, with SLIPWAY_ENVIRONMENT set. */
export function deployJob(node: PlannedDeployNode, command: string): ResolvedJob {
  return {
    id: node.key,
    run: command,
    needs: [],
    retry: { maxAttempts: 1, backoffMs: 0 },
    continueOnError: false,
    env: { SLIPWAY_ENVIRONMENT: node.environment },
    artifacts: [],
    secrets: [],
    path: [],
  };
}
