/** `slipway promote|pause|resume|abort|rollback SERVICE --env ENV`: steering a rollout from any terminal. */
import { releaseRevision } from '../../release/release-record.js';
import { requestControl, rollback } from '../../rollout/rollout-service.js';
import { rollbackWithSchema } from '../../rollout/schema-rollback.js';
import type { Store } from '../../store/store.js';
import type { CommandContext } from '../context.js';
import { UsageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { loadFleetProject } from '../fleet.js';
import { stateDirOf } from '../platform.js';
import { actorOf, openProjectStore, projectDirOf } from '../project.js';
import type { ApiClient } from '../remote/api-client.js';
import { refuseRemoteFlag, remoteClient } from '../remote/remote-context.js';
import { followRollout, servicePath, watchService } from '../remote/rollout-follower.js';
import { rolloutDeps } from '../rollout-deps.js';
import { requireEnv } from './health.js';
import { printSchemaRollback } from './rollback-schema.js';
import { fleetControl, fleetRollback } from './rollout-control-fleet.js';

/** Prints what a control request did. */
function printControl(
  ctx: CommandContext,
  sent: { rollout: number; request: string; outcome?: unknown },
  service: string,
  env: string,
): void {
  if (ctx.output.json) ctx.output.data(sent);
  else if (!sent.outcome)
    ctx.output.line(
      `${sent.request.replace('_', ' ')} sent to rollout ${sent.rollout} of ${service} in ${env}`,
    );
}

/** Prints how a rollback ended. */
function printRollback(
  ctx: CommandContext,
  outcome: { status: string; revision: string; reason?: string },
  service: string,
  env: string,
): void {
  if (ctx.output.json) ctx.output.data({ type: 'rollback', ...outcome });
  else if (outcome.status === 'completed')
    ctx.output.line(`${service} in ${env} is back on ${outcome.revision}`);
}

// Asks the server to roll back (to a revision, or to what a release recorded) and follows it.
async function remoteRollback(
  ctx: CommandContext,
  client: ApiClient,
  service: string,
  env: string,
  to: string | undefined,
): Promise<number> {
  let revision = to;
  if (to !== undefined && !/^r-[0-9a-f]{12}$/.test(to)) {
    const record = await client
      .get<{ revisions: Record<string, string> }>(`/api/v1/releases/${encodeURIComponent(to)}`)
      .catch((error: unknown) => {
        if ((error as { status?: number }).status === 404)
          throw new UsageError(`--to ${to}: not a revision id, and no release named ${to} was found`, {
            cause: error,
          });
        throw error;
      });
    revision = record.revisions[service];
    if (!revision) throw new UsageError(`release ${to} recorded no revision of ${service}`);
  }
  const follower = await watchService(client, service);
  try {
    const answer = await client.post<
      { status: string; revision: string; reason?: string } | { rolloutId: number | null }
    >(`${servicePath(service, env)}/rollback`, revision ? { to: revision } : {});
    const outcome =
      answer.status === 202
        ? await followRollout(
            ctx,
            client,
            follower,
            { service, env },
            (answer.body as { rolloutId: number | null }).rolloutId,
          )
        : (answer.body as { status: string; revision: string; reason?: string });
    const { status, revision: back, reason } = outcome;
    printRollback(ctx, { status, revision: back, ...(reason ? { reason } : {}) }, service, env);
    return status === 'completed' ? ExitCode.Ok : ExitCode.Failed;
  } finally {
    follower.close();
  }
}

/** Sends a control request to the active rollout (and drives it here when its controller is gone). */
export async function controlCommand(
  ctx: CommandContext,
  request: 'promote' | 'abort' | 'pause' | 'resume',
  service: string,
  options: { env?: string; full?: boolean; region?: string },
): Promise<number> {
  const env = requireEnv(options.env);
  const kind = request === 'promote' && options.full ? 'promote_full' : request;
  const client = remoteClient(ctx);
  if (client) {
    refuseRemoteFlag(ctx, options.region !== undefined, '--region', 'the server steers whole rollouts');
    // pause and resume have no endpoint: `slipway pause|resume` refuse --server before they get here.
    const { body } = await client.post<{ rolloutId: number; request: string }>(
      `${servicePath(service, env)}/${request}`,
      request === 'promote' && options.full ? { full: true } : {},
    );
    printControl(ctx, { rollout: body.rolloutId, request: body.request ?? kind }, service, env);
    return ExitCode.Ok;
  }
  const fleet = await loadFleetProject(ctx, env, options.region);
  if (fleet)
    return withStore(ctx, fleet.projectDir, (store) => fleetControl(ctx, { ...fleet, store, service }, kind));
  const projectDir = projectDirOf(ctx);
  const store = await openProjectStore(ctx, projectDir);
  try {
    const deps = rolloutDeps(ctx, projectDir, store);
    const { rollout, outcome } = await requestControl(deps, { service, env }, kind);
    printControl(ctx, { rollout: rollout.id, request: kind, ...(outcome ? { outcome } : {}) }, service, env);
    if (outcome && outcome.status !== 'completed') return request === 'abort' ? ExitCode.Ok : ExitCode.Failed;
    return ExitCode.Ok;
  } finally {
    await store.close();
  }
}

/** Rolls back to the previous revision, or to `--to REVISION`. */
export async function rollbackCommand(
  ctx: CommandContext,
  service: string,
  options: { env?: string; to?: string; region?: string; schema?: boolean },
): Promise<number> {
  const env = requireEnv(options.env);
  const client = remoteClient(ctx);
  if (client) {
    refuseRemoteFlag(ctx, options.region !== undefined, '--region', 'the server rolls back whole services');
    refuseRemoteFlag(ctx, options.schema === true, '--schema', 'run it where the migrations run');
    return remoteRollback(ctx, client, service, env, options.to);
  }
  const fleet = await loadFleetProject(ctx, env, options.region);
  if (fleet) {
    if (options.schema) throw new UsageError('--schema applies to an environment without hosts');
    const to = options.to ? revisionOf(fleet.projectDir, service, options.to) : undefined;
    return withStore(ctx, fleet.projectDir, (store) => fleetRollback(ctx, { ...fleet, store, service }, to));
  }
  const projectDir = projectDirOf(ctx);
  const store = await openProjectStore(ctx, projectDir);
  try {
    const deps = rolloutDeps(ctx, projectDir, store);
    const to = options.to ? revisionOf(projectDir, service, options.to) : undefined;
    const input = { ref: { service, env }, ...(to ? { to } : {}), actor: actorOf(ctx), workdir: projectDir };
    if (options.schema) return printSchemaRollback(ctx, await rollbackWithSchema(deps, input), service, env);
    const outcome = await rollback(deps, input);
    printRollback(ctx, outcome, service, env);
    return outcome.status === 'completed' ? ExitCode.Ok : ExitCode.Failed;
  } finally {
    await store.close();
  }
}

async function withStore<T>(ctx: CommandContext, projectDir: string, act: (store: Store) => Promise<T>) {
  const store = await openProjectStore(ctx, projectDir);
  try {
    return await act(store);
  } finally {
    await store.close();
  }
}

/** A revision id as given, or the revision a release (e.g. `v1.2.0`) recorded for the service. */
function revisionOf(projectDir: string, service: string, to: string): string {
  if (/^r-[0-9a-f]{12}$/.test(to)) return to;
  let revision: string | undefined;
  try {
    revision = releaseRevision(stateDirOf(projectDir), to, service);
  } catch (error) {
    throw new UsageError(`--to ${to}: not a revision id, and no release named ${to} was found`, {
      cause: error,
    });
  }
  if (!revision) throw new UsageError(`release ${to} recorded no revision of ${service}`);
  return revision;
}
