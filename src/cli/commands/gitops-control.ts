/**
 * `slipway gitops history|suspend|resume`: what the passes applied, from the event log, and
 * whether the server's automatic passes may change anything.
 */
import { gitopsHistory, setSuspended } from '../../gitops/gitops-state.js';
import type { CommandContext } from '../context.js';
import { UsageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { actorOf, openProjectStore, projectDirOf } from '../project.js';
import { requireLocal } from '../remote/remote-context.js';

/** `slipway gitops history [--limit N]`. */
export async function gitopsHistoryCommand(
  ctx: CommandContext,
  options: { readonly limit?: string },
): Promise<number> {
  requireLocal(ctx, '`slipway gitops history`');
  const limit = Number(options.limit ?? '50');
  if (!Number.isInteger(limit) || limit < 1)
    throw new UsageError(`--limit must be a whole number above 0, got ${options.limit}`);
  const store = await openProjectStore(ctx, projectDirOf(ctx));
  try {
    const events = await gitopsHistory(store, limit);
    if (ctx.output.json) {
      for (const event of events) ctx.output.data(event);
      return ExitCode.Ok;
    }
    if (events.length === 0) ctx.output.line('no sync yet');
    for (const event of events) {
      const { data } = event;
      const what = event.type.slice('gitops.'.length);
      const color = event.type === 'gitops.failed' ? 'red' : 'green';
      const commit = typeof data.commit === 'string' ? data.commit.slice(0, 12) : '-';
      const revision = typeof data.revision === 'string' ? ` ${data.revision}` : '';
      const reason = typeof data.reason === 'string' ? ` - ${data.reason}` : '';
      ctx.output.line(
        `${new Date(event.time).toISOString()} ${ctx.output.paint(color, what.padEnd(7))} ${event.service}@${event.environment}${revision} from ${commit} ${String(data.subject ?? '')} (${event.actor})${reason}`,
      );
    }
    return ExitCode.Ok;
  } finally {
    await store.close();
  }
}

/** `slipway gitops suspend [--reason R]` and `slipway gitops resume`. */
export async function gitopsSuspend(
  ctx: CommandContext,
  suspend: boolean,
  options: { readonly reason?: string },
): Promise<number> {
  requireLocal(ctx, `\`slipway gitops ${suspend ? 'suspend' : 'resume'}\``);
  const store = await openProjectStore(ctx, projectDirOf(ctx));
  try {
    const changed = await setSuspended(store, suspend, actorOf(ctx), options.reason);
    const state = suspend ? 'suspended' : 'running';
    if (ctx.output.json) ctx.output.data({ type: `gitops.${suspend ? 'suspended' : 'resumed'}`, changed });
    else
      ctx.output.line(changed ? `automatic passes are ${state}` : `automatic passes were already ${state}`);
    return ExitCode.Ok;
  } finally {
    await store.close();
  }
}
