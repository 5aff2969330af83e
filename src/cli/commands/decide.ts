/** `slipway approve`, `reject` and `cancel`: act on a run from any terminal. */

import { cancelRun } from '../../pipeline/cancel-run.js';
import { decideApproval } from '../../pipeline/decide-approval.js';
import { systemClock } from '../../rollout/rollout-clock.js';
import type { CommandContext } from '../context.js';
import { UsageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { actorOf, openProjectStore, parseRunId, projectDirOf } from '../project.js';
import { remoteClient } from '../remote/remote-context.js';

/** Prints a decision; `runActive` is known locally only (a server's runs live in the server). */
function printDecision(
  ctx: CommandContext,
  decision: { run: number; environment: string; decision: string; by: string; runActive?: boolean },
): void {
  ctx.output.data(decision);
  ctx.output.line(
    `${decision.environment} of run ${decision.run} ${decision.decision} by ${decision.by}${decision.runActive === false ? `; its process is gone: \`slipway resume ${decision.run}\` continues it` : ''}`,
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

/** Approves or rejects the manual gate of an environment in a run. */
export async function decideCommand(
  ctx: CommandContext,
  decision: 'approved' | 'rejected',
  runArg: string | undefined,
  environment: string | undefined,
  options: { comment?: string },
): Promise<number> {
  const runId = parseRunId(runArg);
  if (!environment) throw new UsageError('name the environment, e.g. `slipway approve 12 production`');
  const client = remoteClient(ctx);
  if (client) {
    const { body } = await client.post<{ run: number; environment: string; decision: string; by: string }>(
      `/api/v1/runs/${runId}/approvals/${encodeURIComponent(environment)}/${decision === 'approved' ? 'approve' : 'reject'}`,
      options.comment ? { comment: options.comment } : {},
    );
    printDecision(ctx, body);
    return ExitCode.Ok;
  }
  const store = await openProjectStore(ctx, projectDirOf(ctx));
  try {
    const actor = actorOf(ctx);
    const { runActive } = await decideApproval(store, {
      runId,
      environment,
      decision,
      actor,
      ...(options.comment ? { comment: options.comment } : {}),
    });
    printDecision(ctx, { run: runId, environment, decision, by: actor, runActive });
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
