/** `slipway incident open|close|list`: failures in production, the start and end of time to restore. */
import type { Incident } from '../../metrics/incidents.js';
import type { CommandContext } from '../context.js';
import { UsageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { actorOf, openProjectStore, projectDirOf } from '../project.js';
import { remoteClient } from '../remote/remote-context.js';

const time = (ms: number) => new Date(ms).toISOString().replace('T', ' ').slice(0, 19);

function describe(i: Incident): string {
  const state = i.resolvedAt === null ? 'open' : `closed ${time(i.resolvedAt)}`;
  const external = i.externalId === null ? '' : ` (${i.externalId})`;
  return `incident ${i.id}${external}  ${i.service}/${i.environment}  opened ${time(i.openedAt)}  ${state}  ${i.title}`;
}

function print(ctx: CommandContext, incidents: readonly Incident[] | Incident): void {
  if (ctx.output.json) {
    ctx.output.data(incidents);
    return;
  }
  const list = Array.isArray(incidents) ? incidents : [incidents as Incident];
  if (list.length === 0) ctx.output.line('no incidents');
  for (const i of list) ctx.output.line(describe(i));
}

/** Runs `use` against the project's store, closing it after. */
async function withStore<T>(
  ctx: CommandContext,
  use: (store: Awaited<ReturnType<typeof openProjectStore>>) => Promise<T>,
) {
  const store = await openProjectStore(ctx, projectDirOf(ctx));
  try {
    return await use(store);
  } finally {
    await store.close();
  }
}

/** Opens an incident for a service in an environment. */
export async function incidentOpen(
  ctx: CommandContext,
  options: { service: string; env: string; title?: string },
): Promise<number> {
  const body = {
    service: options.service,
    environment: options.env,
    ...(options.title ? { title: options.title } : {}),
  };
  const client = remoteClient(ctx);
  const incident = client
    ? (await client.post<{ incident: Incident }>('/api/v1/incidents', body)).body.incident
    : await withStore(ctx, async (store) => {
        const { openIncident } = await import('../../metrics/incidents.js');
        return (await openIncident(store, { ...body, actor: actorOf(ctx) })).incident;
      });
  print(ctx, incident);
  return ExitCode.Ok;
}

/** Closes incident `id`. */
export async function incidentClose(ctx: CommandContext, idText: string): Promise<number> {
  const id = Number(idText);
  if (!Number.isSafeInteger(id) || id < 1)
    throw new UsageError(`incident id must be a positive integer, got '${idText}'`);
  const client = remoteClient(ctx);
  const incident = client
    ? (await client.post<{ incident: Incident }>(`/api/v1/incidents/${id}/close`)).body.incident
    : await withStore(ctx, async (store) => {
        const { resolveIncident } = await import('../../metrics/incidents.js');
        return resolveIncident(store, { id, actor: actorOf(ctx) });
      });
  print(ctx, incident);
  return ExitCode.Ok;
}

/** Lists incidents oldest first. */
export async function incidentList(
  ctx: CommandContext,
  options: { service?: string; env?: string; open?: boolean },
): Promise<number> {
  const client = remoteClient(ctx);
  const incidents = client
    ? (
        await client.get<{ incidents: Incident[] }>('/api/v1/incidents', {
          service: options.service,
          env: options.env,
          open: options.open ? 'true' : undefined,
        })
      ).incidents
    : await withStore(ctx, async (store) => {
        const { listIncidents } = await import('../../metrics/incidents.js');
        return listIncidents(store, {
          ...(options.service ? { service: options.service } : {}),
          ...(options.env ? { environment: options.env } : {}),
          ...(options.open ? { open: true } : {}),
        });
      });
  print(ctx, incidents);
  return ExitCode.Ok;
}
