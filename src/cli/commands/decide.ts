/** `slipway approve`, `reject` and `cancel`: act on a run from any terminal. */
import { cancelRun, decideApproval } from '../../pipeline/pipeline-service.js';
import type { CommandContext } from '../context.js';
import { UsageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { actorOf, openProjectStore, parseRunId, projectDirOf } from '../project.js';

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
    ctx.output.data({ run: runId, environment, decision, by: actor, runActive });
    ctx.output.line(
      `${environment} of run ${runId} ${decision} by ${actor}${runActive ? '' : `; its process is gone: \`slipway resume ${runId}\` continues it`}`,
    );
    return ExitCode.Ok;
  } finally {
    await store.close();
  }
}

/** Cancels a run: signals its process, or marks it cancelled when the process is gone. */
export async function cancelCommand(ctx: CommandContext, runArg: string | undefined): Promise<number> {
  const runId = parseRunId(runArg);
  const store = await openProjectStore(ctx, projectDirOf(ctx));
  try {
    const how = await cancelRun(store, { now: () => Date.now() }, actorOf(ctx), runId);
    ctx.output.data({ run: runId, cancel: how });
    ctx.output.line(
      how === 'signalled'
        ? `asked run ${runId} to cancel`
        : `run ${runId} had no live process; marked cancelled`,
    );
    return ExitCode.Ok;
  } finally {
    await store.close();
  }
}
