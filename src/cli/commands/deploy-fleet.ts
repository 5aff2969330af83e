/**
 * `slipway deploy SERVICE --env ENV` for an environment with hosts: the waves, one region after the
 * other over SSH, with the environment's strategy inside each region; exit 0 when every region
 * serves the revision, 1 when a wave failed (and what it changed was put back). `--resume` drives
 * again every region rollout whose controller was killed.
 */
import type { ResolvedConfig, ResolvedFleet } from '../../config/resolved.js';
import { readGitInfo } from '../../pipeline/git-info.js';
import type { RolloutEvent } from '../../rollout/controller/controller-types.js';
import { deployFleet } from '../../rollout/fleet/fleet-deploy.js';
import type { FleetDeployOutcome } from '../../rollout/fleet/fleet-waves.js';
import { activeRollout, resume } from '../../rollout/rollout-service.js';
import type { Store } from '../../store/store.js';
import type { CommandContext } from '../context.js';
import { ExitCode } from '../exit-codes.js';
import { openFleet } from '../fleet.js';
import { actorOf } from '../project.js';

/** The loaded project a fleet deploy works on. */
export interface FleetProject {
  readonly config: ResolvedConfig;
  readonly projectDir: string;
  readonly store: Store;
  readonly serviceId: string;
  readonly env: string;
  readonly fleet: ResolvedFleet;
}

const MARK: Readonly<Record<string, string>> = {
  completed: 'serves',
  unchanged: 'already served',
  rolled_back: 'rolled back',
  failed: 'failed',
  skipped: 'skipped',
  reverted: 'put back',
};

function printOutcome(ctx: CommandContext, project: FleetProject, outcome: FleetDeployOutcome): void {
  if (ctx.output.json) {
    ctx.output.data({ type: 'fleet.finished', ...outcome });
    return;
  }
  const revision = outcome.revision ?? 'the new revision';
  for (const r of outcome.regions) {
    const color = r.status === 'completed' || r.status === 'unchanged' ? 'green' : 'red';
    const what = ctx.output.paint(color, MARK[r.status] ?? r.status);
    ctx.output.line(`  ${r.region}: ${what}${r.error ? ` - ${r.error}` : ''}`);
  }
  if (outcome.status === 'completed')
    ctx.output.line(`${project.serviceId} ${revision} serves ${project.env} in every region`);
  else ctx.output.line(ctx.output.paint('red', `fleet deploy failed: ${outcome.reason ?? 'see above'}`));
}

/** Deploys (or, with --resume, drives on) the service over the environment's fleet. */
export async function fleetDeploy(
  ctx: CommandContext,
  project: FleetProject,
  options: { readonly queue?: boolean; readonly resume?: boolean },
  readyTimeoutMs: number,
): Promise<number> {
  const { config, projectDir, store, serviceId, env, fleet } = project;
  const hosts = openFleet(ctx, projectDir, store, config, env, fleet);
  try {
    if (options.resume) return await resumeRegions(ctx, project, hosts.regionDeps);
    const { platform: _local, ...deps } = hosts.regionDeps(fleet.waves[0]?.region ?? '');
    const outcome = await deployFleet(
      {
        ...deps,
        regionPlatform: hosts.regionPlatform,
        reportFor: (region) => (event: RolloutEvent) => hosts.report(region, event),
      },
      {
        config,
        projectDir,
        service: serviceId,
        env,
        actor: actorOf(ctx),
        commitSha: readGitInfo(projectDir).sha,
        queue: options.queue === true,
        readyTimeoutMs,
        fleet,
      },
    );
    printOutcome(ctx, project, outcome);
    return outcome.status === 'completed' ? ExitCode.Ok : ExitCode.Failed;
  } finally {
    await hosts.close();
  }
}

/** Drives every region rollout of the service that has no controller any more, in wave order. */
async function resumeRegions(
  ctx: CommandContext,
  project: FleetProject,
  regionDeps: ReturnType<typeof openFleet>['regionDeps'],
): Promise<number> {
  let failed = false;
  let resumed = 0;
  for (const wave of project.fleet.waves) {
    const deps = regionDeps(wave.region);
    const ref = { service: project.serviceId, env: `${project.env}@${wave.region}` };
    if (!(await activeRollout(project.store, ref))) continue;
    resumed++;
    const outcome = await resume(deps, ref);
    if (ctx.output.json) ctx.output.data({ type: 'region.resumed', region: wave.region, ...outcome });
    else ctx.output.line(`  ${wave.region}: ${outcome.status}`);
    if (outcome.status !== 'completed') failed = true;
  }
  if (resumed === 0 && !ctx.output.json)
    ctx.output.line(`${project.serviceId} has no rollout in progress in any region of ${project.env}`);
  return failed ? ExitCode.Failed : ExitCode.Ok;
}
