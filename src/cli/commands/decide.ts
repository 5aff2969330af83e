/** `slipway approve`, `reject` and `cancel`: act on a run from any terminal. */

import { createInterface } from 'node:readline/promises';
import { planReport } from '../../infra/plan-infrastructure.js';
import { type InfraPlan, runInfraPlan } from '../../infra/plan-record.js';
import { cancelRun } from '../../pipeline/cancel-run.js';
import { decideApproval } from '../../pipeline/decide-approval.js';
import { systemClock } from '../../rollout/rollout-clock.js';
import type { CommandContext } from '../context.js';
import { UsageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { actorOf, openProjectStore, parseRunId, projectDirOf } from '../project.js';
import { remoteClient } from '../remote/remote-context.js';

/** A decision as the API answers it; a gate of several approvers also says how far it got. */
interface DecisionReport {
  readonly run: number;
  readonly environment: string;
  readonly decision: string;
  readonly by: string;
  /** Absent from servers that predate gates of several approvers. */
  readonly status?: string;
  readonly approvals?: number;
  readonly required?: number;
  readonly runActive?: boolean;
}

/** Prints a decision; `runActive` is known locally only (a server's runs live in the server). */
function printDecision(ctx: CommandContext, decision: DecisionReport): void {
  ctx.output.data(decision);
  const { run, environment, approvals, required } = decision;
  const progress =
    decision.decision === 'approved' && required !== undefined && required > 1 && approvals !== undefined
      ? ` (${approvals} of ${required} approvals)`
      : '';
  const text =
    decision.status === 'pending'
      ? `${environment} of run ${run}: approval by ${decision.by} recorded${progress}; it needs ${required! - approvals!} more from another approver`
      : `${environment} of run ${run} ${decision.decision} by ${decision.by}${progress}`;
  ctx.output.line(
    `${text}${decision.runActive === false ? `; its process is gone: \`slipway resume ${run}\` continues it` : ''}`,
  );
}

/** Prints how a cancel went. */
function printCancel(ctx: CommandContext, runId: number, how: string): void {
  ctx.output.data({ run: runId, cancel: how });
  ctx.output.line(
    how === 'signalled'
      ? `asked run ${runId} to cancel`
      : `run ${runId} had no live process; marked cancelled`,
  );
}

/** Options of `slipway approve|reject`. */
export interface DecideOptions {
  readonly comment?: string;
  /** An admin's written reason to approve an infrastructure plan a policy denies. */
  readonly override?: string;
  /** Approve without asking, even on a terminal. */
  readonly yes?: boolean;
}

/**
 * Shows the infrastructure plan a gate approves, then, on a terminal, asks before approving it;
 * false when the user said no.
 */
async function confirmPlan(
  ctx: CommandContext,
  plan: InfraPlan | undefined,
  decision: 'approved' | 'rejected',
  options: DecideOptions,
): Promise<boolean> {
  if (!plan) return true;
  for (const line of planReport(plan)) ctx.output.line(line);
  // Asked only on a terminal: in a script, running `approve` is the decision.
  if (decision !== 'approved' || options.yes || !ctx.output.interactive || !process.stdin.isTTY) return true;
  const prompt = createInterface({ input: process.stdin, output: ctx.io.stdout });
  try {
    const answer = await prompt.question(`approve plan ${plan.id} of ${plan.environment}? [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    prompt.close();
  }
}

/** Approves or rejects the manual gate of an environment in a run. */
export async function decideCommand(
  ctx: CommandContext,
  decision: 'approved' | 'rejected',
  runArg: string | undefined,
  environment: string | undefined,
  options: DecideOptions,
): Promise<number> {
  const runId = parseRunId(runArg);
  if (!environment) throw new UsageError('name the environment, e.g. `slipway approve 12 production`');
  const client = remoteClient(ctx);
  if (client) {
    const gates = await client.get<{ approvals: { environment: string; infraPlan?: InfraPlan }[] }>(
      `/api/v1/runs/${runId}/approvals`,
    );
    const plan = gates.approvals.find((a) => a.environment === environment)?.infraPlan;
    if (!(await confirmPlan(ctx, plan, decision, options))) {
      ctx.output.line('not approved');
      return ExitCode.Failed;
    }
    const { body } = await client.post<DecisionReport>(
      `/api/v1/runs/${runId}/approvals/${encodeURIComponent(environment)}/${decision === 'approved' ? 'approve' : 'reject'}`,
      {
        ...(options.comment ? { comment: options.comment } : {}),
        ...(options.override !== undefined ? { override: options.override } : {}),
      },
    );
    printDecision(ctx, body);
    return ExitCode.Ok;
  }
  const store = await openProjectStore(ctx, projectDirOf(ctx));
  try {
    const actor = actorOf(ctx);
    if (!(await confirmPlan(ctx, await runInfraPlan(store, runId, environment), decision, options))) {
      ctx.output.line('not approved');
      return ExitCode.Failed;
    }
    const { runActive, approval } = await decideApproval(store, {
      runId,
      environment,
      decision,
      actor,
      ...(options.comment ? { comment: options.comment } : {}),
      ...(options.override !== undefined ? { override: options.override } : {}),
    });
    printDecision(ctx, {
      run: runId,
      environment,
      decision,
      by: actor,
      status: approval.status,
      approvals: approval.votes.length,
      required: approval.required,
      runActive,
    });
    return ExitCode.Ok;
  } finally {
    await store.close();
  }
}

/** Cancels a run: signals its process, or marks it cancelled when the process is gone. */
export async function cancelCommand(ctx: CommandContext, runArg: string | undefined): Promise<number> {
  const runId = parseRunId(runArg);
  const client = remoteClient(ctx);
  if (client) {
    const { body } = await client.post<{ cancel: string }>(`/api/v1/runs/${runId}/cancel`);
    printCancel(ctx, runId, body.cancel);
    return ExitCode.Ok;
  }
  const store = await openProjectStore(ctx, projectDirOf(ctx));
  try {
    printCancel(ctx, runId, await cancelRun(store, systemClock(), actorOf(ctx), runId));
    return ExitCode.Ok;
  } finally {
    await store.close();
  }
}
