/**
 * Deploy environments: the manual approval gate (request it, wait polling the store until someone
 * decides it from any terminal) and the job an environment's `run` command becomes.
 */
import type { ResolvedJob } from '../../config/resolved.js';
import type { Run, Store } from '../../store/store.js';
import type { PlannedDeployNode } from '../plan.js';
import type { Reporter } from '../run-events.js';

/** How an approval wait ended. */
export type GateDecision = 'cancelled' | { readonly status: 'approved' | 'rejected'; readonly by: string };

/** What the approval gate works with. */
export interface GateDeps {
  readonly store: Store;
  readonly reporter: Reporter;
  readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  /** How often to look for a decision. */
  readonly pollMs: number;
  /** Aborted when the run is cancelled; the wait ends with it. */
  readonly signal: AbortSignal;
  /** The command that decides an approval, for the waiting message. */
  readonly approveCommand: (runId: number, environment: string) => string;
}

/** Waits for the decision on a deploy environment. */
export interface ApprovalGate {
  /** Opens the gate (needing `required` distinct approvals) unless it is open, and waits for its decision. */
  wait(node: PlannedDeployNode, required?: number): Promise<GateDecision>;
}

/** The approval gate of one run; the run shows `waiting` while any environment waits. */
export function createApprovalGate(deps: GateDeps, run: Run, service: string): ApprovalGate {
  let waiting = 0;
  const cancelled = () => deps.signal.aborted;
  return {
    async wait(node, required = 1) {
      const existing = await deps.store.getApproval(run.id, node.environment);
      if (!existing) {
        await deps.store.requestApproval(run.id, node.environment, { required });
        await deps.store.appendEvent({
          type: 'approval.requested',
          actor: run.actor,
          runId: run.id,
          environment: node.environment,
          service,
          commitSha: run.commitSha,
          data: required > 1 ? { required } : {},
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
      // A gate of several approvers was approved by all of them; a rejection is one person's.
      const by =
        approval.status === 'approved' && approval.votes.length > 1
          ? approval.votes.map((vote) => vote.by).join(', ')
          : (approval.decidedBy ?? 'unknown');
      deps.reporter.report({
        type: 'approval.decided',
        run: run.id,
        environment: node.environment,
        decision: approval.status,
        by,
      });
      return { status: approval.status, by };
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
