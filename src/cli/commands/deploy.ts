/**
 * `slipway deploy SERVICE --env ENV`: makes a revision of the service's current source and config,
 * brings it up beside the running one, and moves all traffic to it once it is ready; the old
 * revision drains and stops. A revision that never becomes ready gets no traffic and is removed.
 */
import type { CommandContext } from '../context.js';
import { UsageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { localPlatform } from '../platform.js';
import { loadProject } from '../project.js';
import { requireEnv } from './health.js';

/** Deploys one service to one environment; exit 0 when the new revision serves all traffic. */
export async function deployCommand(
  ctx: CommandContext,
  serviceId: string,
  options: { env?: string; timeout?: string },
): Promise<number> {
  const env = requireEnv(options.env);
  const timeoutMs = options.timeout === undefined ? 120_000 : Number(options.timeout) * 1000;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0)
    throw new UsageError(`--timeout must be seconds, got '${options.timeout}'`);
  const { config, projectDir } = await loadProject(ctx);
  const service = config.services[serviceId];
  if (!service) {
    throw new UsageError(
      `no service '${serviceId}' in the config (services: ${Object.keys(config.services).join(', ') || 'none'})`,
    );
  }
  const environment = config.environments[env];
  if (Object.keys(config.environments).length > 0 && !environment) {
    throw new UsageError(
      `no environment '${env}' in the config (environments: ${Object.keys(config.environments).join(', ')})`,
    );
  }
  const platform = localPlatform(ctx, projectDir);
  const ref = { service: serviceId, env };
  const revision = await platform.createRevision({ service, baseDir: projectDir });
  const endpoint = await platform.ensureService(
    ref,
    environment?.port !== undefined ? { port: environment.port } : {},
  );
  if (endpoint.error) throw new UsageError(`${serviceId} in ${env} cannot serve: ${endpoint.error}`);
  const previous = endpoint.revisions.filter((r) => r.id !== revision.id);
  say(
    ctx,
    { event: 'revision', revision: revision.id, created: revision.createdAt },
    `revision ${revision.id}`,
  );

  await platform.scale(ref, revision.id, service.instances);
  const ready = await platform.waitReady(ref, revision.id, service.instances, timeoutMs);
  if (ready.status !== 'ready') {
    await platform.scale(ref, revision.id, 0);
    const stable = previous.find((r) => r.weight > 0);
    say(
      ctx,
      { event: 'failed', revision: revision.id, reason: ready.message },
      `deploy failed: ${ready.message}`,
    );
    if (stable) ctx.output.line(`traffic stays on ${stable.id}`);
    return ExitCode.Failed;
  }
  await platform.setTraffic(ref, { weights: { [revision.id]: 100 }, roles: { stable: revision.id } });
  for (const old of previous) await platform.scale(ref, old.id, 0);
  say(
    ctx,
    { event: 'deployed', revision: revision.id, url: endpoint.url, instances: ready.ready },
    `${serviceId} ${revision.id} serves ${env} at ${endpoint.url} (${ready.ready} instance(s))`,
  );
  return ExitCode.Ok;
}

function say(ctx: CommandContext, data: Record<string, unknown>, text: string): void {
  if (ctx.output.json) ctx.output.data(data);
  else ctx.output.line(text);
}
