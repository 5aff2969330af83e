/**
 * `slipway flags rollout FLAG [--service S] [--env E]`: rolls the variant of a `featureFlag`
 * strategy out stage by stage under analysis, as `slipway deploy` does after shipping the code,
 * without deploying anything; exit 0 when it completes, 1 when it is rolled back or halted.
 */
import { findFlagRollout, rolloutFlag } from '../../rollout/flag/flag-rollout-service.js';
import type { CommandContext } from '../context.js';
import { ExitCode } from '../exit-codes.js';
import { actorOf, loadProject, openProjectStore } from '../project.js';
import { requireLocal } from '../remote/remote-context.js';
import { rolloutDeps } from '../rollout-deps.js';

/** Options of `slipway flags rollout`. */
export interface FlagsRolloutOptions {
  readonly service?: string;
  readonly env?: string;
}

/** Runs the flag rollout of the one service and environment whose strategy rolls out `flag`. */
export async function flagsRolloutCommand(
  ctx: CommandContext,
  flag: string,
  options: FlagsRolloutOptions,
): Promise<number> {
  requireLocal(ctx, '`slipway flags rollout`');
  const { config, projectDir } = await loadProject(ctx);
  const { service, env } = findFlagRollout(config, flag, options);
  const store = await openProjectStore(ctx, projectDir);
  try {
    const deps = rolloutDeps(ctx, projectDir, store);
    const outcome = await rolloutFlag(deps, {
      config,
      projectDir,
      service,
      env,
      actor: actorOf(ctx),
      secret: deps.secret ?? ((name) => deps.env[name]),
      report: deps.report,
      again: true,
    });
    return outcome.status === 'completed' ? ExitCode.Ok : ExitCode.Failed;
  } finally {
    await store.close();
  }
}
