/**
 * `slipway deploy SERVICE --env ENV`: takes the service's current source and config into the
 * environment with the environment's strategy, analysing as it goes; exit 0 when the rollout
 * completes, 1 when it ends rolled back or aborted.
 */
import { readGitInfo } from '../../pipeline/git-info.js';
import { deploy, resume } from '../../rollout/rollout-service.js';
import type { CommandContext } from '../context.js';
import { UsageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { actorOf, loadProject, openProjectStore } from '../project.js';
import { rolloutDeps } from '../rollout-deps.js';
import { requireEnv } from './health.js';

/** Options of `slipway deploy`. */
export interface DeployOptions {
  readonly env?: string;
  readonly timeout?: string;
  readonly queue?: boolean;
  readonly resume?: boolean;
}

/** Deploys one service to one environment. */
export async function deployCommand(
  ctx: CommandContext,
  serviceId: string,
  options: DeployOptions,
): Promise<number> {
  const env = requireEnv(options.env);
  const timeoutMs = options.timeout === undefined ? 120_000 : Number(options.timeout) * 1000;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0)
    throw new UsageError(`--timeout must be seconds, got '${options.timeout}'`);
  const { config, projectDir } = await loadProject(ctx);
  const store = await openProjectStore(ctx, projectDir);
  try {
    const deps = rolloutDeps(ctx, projectDir, store);
    const outcome = options.resume
      ? await resume(deps, { service: serviceId, env })
      : await deploy(deps, {
          config,
          projectDir,
          service: serviceId,
          env,
          actor: actorOf(ctx),
          commitSha: readGitInfo(projectDir).sha,
          queue: options.queue === true,
          readyTimeoutMs: timeoutMs,
        });
    switch (outcome.status) {
      case 'unchanged':
        if (ctx.output.json)
          ctx.output.data({ type: 'rollout.finished', status: 'unchanged', revision: outcome.revision });
        else ctx.output.line(`${serviceId} ${outcome.revision} already serves ${env}: nothing to deploy`);
        return ExitCode.Ok;
      case 'completed':
        if (!ctx.output.json) {
          const status = await deps.platform.status({ service: serviceId, env });
          if (status?.url) ctx.output.line(`${serviceId} serves ${env} at ${status.url}`);
        }
        return ExitCode.Ok;
      case 'busy':
        throw new UsageError(`another controller (${outcome.owner}) is driving this rollout`);
      default:
        return ExitCode.Failed;
    }
  } finally {
    await store.close();
  }
}
