/** `slipway promote|pause|resume|abort|rollback SERVICE --env ENV`: steering a rollout from any terminal. */
import { releaseRevision } from '../../release/release-record.js';
import { requestControl, rollback } from '../../rollout/rollout-service.js';
import type { CommandContext } from '../context.js';
import { UsageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { stateDirOf } from '../platform.js';
import { actorOf, openProjectStore, projectDirOf } from '../project.js';
import { rolloutDeps } from '../rollout-deps.js';
import { requireEnv } from './health.js';

/** Sends a control request to the active rollout (and drives it here when its controller is gone). */
export async function controlCommand(
  ctx: CommandContext,
  request: 'promote' | 'abort' | 'pause' | 'resume',
  service: string,
  options: { env?: string; full?: boolean },
): Promise<number> {
  const env = requireEnv(options.env);
  const projectDir = projectDirOf(ctx);
  const store = await openProjectStore(ctx, projectDir);
  try {
    const deps = rolloutDeps(ctx, projectDir, store);
    const kind = request === 'promote' && options.full ? 'promote_full' : request;
    const { rollout, outcome } = await requestControl(deps, { service, env }, kind);
    if (ctx.output.json)
      ctx.output.data({ rollout: rollout.id, request: kind, ...(outcome ? { outcome } : {}) });
    else if (!outcome)
      ctx.output.line(`${kind.replace('_', ' ')} sent to rollout ${rollout.id} of ${service} in ${env}`);
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
  options: { env?: string; to?: string },
): Promise<number> {
  const env = requireEnv(options.env);
  const projectDir = projectDirOf(ctx);
  const store = await openProjectStore(ctx, projectDir);
  try {
    const deps = rolloutDeps(ctx, projectDir, store);
    const to = options.to ? revisionOf(projectDir, service, options.to) : undefined;
    const outcome = await rollback(deps, {
      ref: { service, env },
      ...(to ? { to } : {}),
      actor: actorOf(ctx),
      workdir: projectDir,
    });
    if (ctx.output.json) ctx.output.data({ type: 'rollback', ...outcome });
    else if (outcome.status === 'completed')
      ctx.output.line(`${service} in ${env} is back on ${outcome.revision}`);
    return outcome.status === 'completed' ? ExitCode.Ok : ExitCode.Failed;
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
