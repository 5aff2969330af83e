/**
 * `promote|pause|resume|abort|rollback SERVICE --env ENV [--region REGION]` for an environment with
 * hosts: the request goes to the rollout of every region (in wave order; regions without one are
 * passed over), or of the one `--region` names. A region's rollouts are recorded under `ENV@REGION`.
 */
import type { ResolvedConfig, ResolvedFleet } from '../../config/resolved.js';
import { actOnRegions, type RegionActionResult } from '../../rollout/fleet/fleet-deploy.js';
import { fleetScopes } from '../../rollout/fleet/fleet-waves.js';
import { activeRollout, requestControl, rollback } from '../../rollout/rollout-service.js';
import type { Store } from '../../store/store.js';
import type { CommandContext } from '../context.js';
import { UsageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { openFleet } from '../fleet.js';
import { actorOf } from '../project.js';

/** The loaded project a fleet control works on. */
export interface FleetControlProject {
  readonly config: ResolvedConfig;
  readonly projectDir: string;
  readonly store: Store;
  readonly service: string;
  readonly env: string;
  readonly fleet: ResolvedFleet;
  readonly region?: string | undefined;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Prints one line (or one JSON document) per region and returns whether any region failed. */
function printRegions<T>(
  ctx: CommandContext,
  results: readonly RegionActionResult<T | undefined>[],
  line: (value: T) => string,
): boolean {
  let failed = false;
  for (const r of results) {
    if (r.status === 'failed') failed = true;
    if (ctx.output.json) {
      ctx.output.data(
        r.status === 'done'
          ? { region: r.region, scope: r.scope, status: 'done', ...(r.value ?? { skipped: true }) }
          : { region: r.region, scope: r.scope, status: 'failed', error: message(r.error) },
      );
    } else if (r.status === 'failed')
      ctx.output.line(`  ${r.region}: ${ctx.output.paint('red', message(r.error))}`);
    else if (r.value === undefined) ctx.output.line(`  ${r.region}: no rollout in progress`);
    else ctx.output.line(`  ${r.region}: ${line(r.value)}`);
  }
  return failed;
}

/** Sends a control request to the rollout of each region (or of `--region`). */
export async function fleetControl(
  ctx: CommandContext,
  project: FleetControlProject,
  kind: 'promote' | 'promote_full' | 'abort' | 'pause' | 'resume',
): Promise<number> {
  const { store, service, env, fleet, region } = project;
  const hosts = openFleet(ctx, project.projectDir, store, project.config, env, fleet);
  try {
    const results = await actOnRegions(env, fleet, region, async ({ region: name, scope }) => {
      const ref = { service, env: scope };
      if (!(await activeRollout(store, ref))) return undefined;
      const { rollout, outcome } = await requestControl(hosts.regionDeps(name), ref, kind);
      return { rollout: rollout.id, request: kind, ...(outcome ? { outcome: outcome.status } : {}) };
    });
    if (results.every((r) => r.status === 'done' && r.value === undefined))
      throw new UsageError(
        `${service} has no rollout in progress in ${region ? `region ${region} of ` : ''}${env}`,
      );
    const failed = printRegions(
      ctx,
      results,
      (v) => `${kind.replace('_', ' ')} sent to rollout ${v.rollout}${v.outcome ? ` (${v.outcome})` : ''}`,
    );
    return failed ? ExitCode.Failed : ExitCode.Ok;
  } finally {
    await hosts.close();
  }
}

/** Rolls every region (or `--region`) back to its previous revision, or to `to`, latest wave first. */
export async function fleetRollback(
  ctx: CommandContext,
  project: FleetControlProject,
  to: string | undefined,
): Promise<number> {
  const { store, service, env, fleet, region } = project;
  // Checked in wave order first, so that an unknown region's message lists the regions as written.
  fleetScopes(env, fleet, region);
  const hosts = openFleet(ctx, project.projectDir, store, project.config, env, fleet);
  try {
    const reversed: ResolvedFleet = { ...fleet, waves: [...fleet.waves].reverse() };
    const results = await actOnRegions(env, reversed, region, async ({ region: name, scope }) => {
      const outcome = await rollback(hosts.regionDeps(name), {
        ref: { service, env: scope },
        ...(to ? { to } : {}),
        actor: actorOf(ctx),
        workdir: project.projectDir,
      });
      return { outcome: outcome.status, revision: outcome.revision };
    });
    const failed = printRegions(ctx, results, (v) =>
      v.outcome === 'completed' ? `back on ${v.revision}` : `${v.outcome} (${v.revision})`,
    );
    const incomplete = results.some((r) => r.status === 'done' && r.value?.outcome !== 'completed');
    return failed || incomplete ? ExitCode.Failed : ExitCode.Ok;
  } finally {
    await hosts.close();
  }
}
