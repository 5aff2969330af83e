/** `slipway events`: the append-only delivery event log, for audits and metrics. */
import { EVENT_TYPES, type EventType, isEventType } from '../../store/event-types.js';
import type { StoredEvent } from '../../store/store.js';
import type { CommandContext } from '../context.js';
import { UsageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { openProjectStore, projectDirOf } from '../project.js';
import type { ApiClient } from '../remote/api-client.js';
import { remoteClient } from '../remote/remote-context.js';

/** Prints one event: the stored event as JSON, else one line. */
function printEvent(ctx: CommandContext, e: StoredEvent): void {
  if (ctx.output.json) {
    ctx.output.data(e);
    return;
  }
  const where = [e.service, e.environment].filter(Boolean).join('/');
  const run = e.runId !== null ? ` run ${e.runId}` : '';
  const subject = e.subject ? ` ${e.subject}` : '';
  const status = typeof e.data.status === 'string' ? ` ${e.data.status}` : '';
  ctx.output.line(
    `${new Date(e.time).toISOString()}  ${e.type.padEnd(20)} ${e.actor}${run}${subject}${where ? ` ${where}` : ''}${status}`,
  );
}

// The API filters by type, service and run; an environment filter is applied here, page by page.
async function remoteEvents(
  client: ApiClient,
  filter: { types: readonly EventType[]; service?: string; env?: string; runId?: number; limit: number },
): Promise<StoredEvent[]> {
  const found: StoredEvent[] = [];
  let afterId = 0;
  for (;;) {
    const page = filter.env === undefined ? Math.min(filter.limit - found.length, 1000) : 1000;
    const { events } = await client.get<{ events: StoredEvent[] }>('/api/v1/events', {
      type: filter.types.length > 0 ? filter.types.join(',') : undefined,
      service: filter.service,
      run: filter.runId,
      afterId,
      limit: page,
    });
    for (const e of events) {
      if (filter.env === undefined || e.environment === filter.env) found.push(e);
      if (found.length === filter.limit) return found;
    }
    const last = events[events.length - 1];
    if (events.length < page || last === undefined) return found;
    afterId = last.id;
  }
}

/** Options of `slipway events`. */
export interface EventsOptions {
  readonly type?: string[];
  readonly service?: string;
  readonly env?: string;
  readonly run?: string;
  readonly limit?: string;
}

/** Lists events oldest first, filtered. */
export async function eventsCommand(ctx: CommandContext, options: EventsOptions): Promise<number> {
  const types: EventType[] = [];
  for (const t of options.type ?? []) {
    if (!isEventType(t)) throw new UsageError(`unknown event type '${t}' (known: ${EVENT_TYPES.join(', ')})`);
    types.push(t);
  }
  const limit = options.limit === undefined ? 200 : Number(options.limit);
  if (!Number.isInteger(limit) || limit < 1)
    throw new UsageError(`--limit must be a positive integer, got '${options.limit}'`);
  const runId = options.run === undefined ? undefined : Number(options.run);
  if (runId !== undefined && !Number.isInteger(runId))
    throw new UsageError(`--run must be a run id, got '${options.run}'`);
  const client = remoteClient(ctx);
  if (client) {
    const events = await remoteEvents(client, {
      types,
      ...(options.service ? { service: options.service } : {}),
      ...(options.env ? { env: options.env } : {}),
      ...(runId !== undefined ? { runId } : {}),
      limit,
    });
    for (const e of events) printEvent(ctx, e);
    return ExitCode.Ok;
  }
  const store = await openProjectStore(ctx, projectDirOf(ctx));
  try {
    const events = await store.listEvents({
      ...(types.length > 0 ? { types } : {}),
      ...(options.service ? { service: options.service } : {}),
      ...(options.env ? { environment: options.env } : {}),
      ...(runId !== undefined ? { runId } : {}),
      limit,
    });
    for (const e of events) printEvent(ctx, e);
    return ExitCode.Ok;
  } finally {
    await store.close();
  }
}
