/**
 * `slipway gitops history|suspend|resume`: what the passes applied, from the event log, and
 * whether the server's automatic passes may change anything; here, or with `--server` on the server.
 */
import { gitopsHistory, setSuspended } from '../../gitops/gitops-state.js';
import type { Store, StoredEvent } from '../../store/store.js';
import type { CommandContext } from '../context.js';
import { UsageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { actorOf, openProjectStore, projectDirOf } from '../project.js';
import { remoteClient } from '../remote/remote-context.js';

/** Runs `work` on the server's API client or on the project's store. */
async function withTarget<T>(
  ctx: CommandContext,
  work: (target: { client: NonNullable<ReturnType<typeof remoteClient>> } | { store: Store }) => Promise<T>,
): Promise<T> {
  const client = remoteClient(ctx);
  if (client) return work({ client });
  const store = await openProjectStore(ctx, projectDirOf(ctx));
  try {
    return await work({ store });
  } finally {
    await store.close();
  }
}

/** `slipway gitops history [--limit N]`. */
export async function gitopsHistoryCommand(
  ctx: CommandContext,
  options: { readonly limit?: string },
): Promise<number> {
  const limit = Number(options.limit ?? '50');
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
    throw new UsageError(`--limit must be a whole number from 1 to 1000, got ${options.limit}`);
  const events = await withTarget(ctx, async (target) =>
    'client' in target
      ? (
          await target.client.get<{ events: StoredEvent[] }>('/api/v1/gitops/history', {
            limit: String(limit),
          })
        ).events
      : gitopsHistory(target.store, limit),
  );
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
}

/** `slipway gitops suspend [--reason R]` and `slipway gitops resume`. */
export async function gitopsSuspend(
  ctx: CommandContext,
  suspend: boolean,
  options: { readonly reason?: string },
): Promise<number> {
  const changed = await withTarget(ctx, async (target) =>
    'client' in target
      ? (
          await target.client.post<{ changed: boolean }>(
            `/api/v1/gitops/${suspend ? 'suspend' : 'resume'}`,
            options.reason ? { reason: options.reason } : {},
          )
        ).body.changed
      : setSuspended(target.store, suspend, actorOf(ctx), options.reason),
  );
  const state = suspend ? 'suspended' : 'running';
  if (ctx.output.json) ctx.output.data({ type: `gitops.${suspend ? 'suspended' : 'resumed'}`, changed });
  else ctx.output.line(changed ? `automatic passes are ${state}` : `automatic passes were already ${state}`);
  return ExitCode.Ok;
}
