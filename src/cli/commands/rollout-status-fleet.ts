/**
 * `slipway status [SERVICE] --env ENV` for an environment with hosts: per region (wave order) its
 * traffic share and latest rollout, and per host what runs there: revisions with weights and ready
 * instances, and whether its probes pass. A host that cannot be reached is shown with its error;
 * the others are still shown.
 */
import type { ResolvedConfig, ResolvedFleet } from '../../config/resolved.js';
import type { HealthReport, ServiceStatus } from '../../platform/platform.js';
import type { HostPlatform } from '../../platform/remote/index.js';
import type { RolloutSpec } from '../../rollout/controller/rollout-spec.js';
import { regionScope } from '../../rollout/fleet/region-platform.js';
import type { Rollout, Store } from '../../store/store.js';
import type { CommandContext } from '../context.js';
import { ExitCode } from '../exit-codes.js';
import { openFleet } from '../fleet.js';

/** What runs on one host. */
interface HostItem {
  readonly host: string;
  readonly url: string | null;
  readonly revisions: readonly {
    id: string;
    role: string | null;
    weight: number;
    instances: number;
    ready: number;
  }[];
  readonly healthy: boolean | null;
  readonly error?: string;
}

/** One region of a service. */
interface RegionItem {
  readonly region: string;
  readonly scope: string;
  /** The region's share of the environment's traffic in steady state (0..100). */
  readonly traffic: number;
  readonly rollout: {
    id: number;
    revision: string;
    stable: string | null;
    strategy: string;
    phase: string;
    step: number;
    /** How many steps its plan has. */
    steps: number;
    reason: string | null;
  } | null;
  readonly hosts: readonly HostItem[];
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function hostItem(platform: HostPlatform, service: string, env: string): Promise<HostItem> {
  const ref = { service, env };
  try {
    const live: ServiceStatus | undefined = await platform.status(ref);
    const health: HealthReport | undefined = live ? await platform.health(ref) : undefined;
    return {
      host: platform.host.name,
      url: live?.url ?? null,
      revisions: (live?.revisions ?? []).map((r) => ({
        id: r.id,
        role: r.role ?? null,
        weight: r.weight,
        instances: r.desired,
        ready: r.ready,
      })),
      healthy: health ? health.healthy : null,
    };
  } catch (error) {
    return { host: platform.host.name, url: null, revisions: [], healthy: null, error: message(error) };
  }
}

function rolloutItem(rollout: Rollout | undefined): RegionItem['rollout'] {
  if (!rollout) return null;
  return {
    id: rollout.id,
    revision: rollout.revision,
    stable: rollout.stableRevision,
    strategy: rollout.strategy,
    phase: rollout.phase,
    step: rollout.step,
    steps: (rollout.plan as RolloutSpec | undefined)?.steps?.length ?? 0,
    reason: rollout.reason,
  };
}

function printRegions(
  ctx: CommandContext,
  service: string,
  env: string,
  regions: readonly RegionItem[],
): void {
  if (ctx.output.json) {
    ctx.output.data({ service, env, regions });
    return;
  }
  ctx.output.line(`${ctx.output.paint('bold', service)} (${env})`);
  for (const region of regions) {
    const r = region.rollout;
    // A finished rollout's step is one past its last: shown as the last, as `status` does.
    const step = r ? `${Math.min(r.step + 1, r.steps)}/${r.steps}` : '';
    ctx.output.line(
      `  region ${region.region} (${region.traffic}% of traffic)${r ? `: rollout ${r.id} ${r.revision} ${r.phase}, step ${step}${r.reason ? ` - ${r.reason}` : ''}` : ': never deployed'}`,
    );
    for (const host of region.hosts) {
      if (host.error) {
        ctx.output.line(`    ${host.host}: ${ctx.output.paint('red', host.error)}`);
        continue;
      }
      const health =
        host.healthy === null ? '' : host.healthy ? ', healthy' : `, ${ctx.output.paint('red', 'unhealthy')}`;
      ctx.output.line(`    ${host.host} ${host.url ?? 'not serving'}${health}`);
      for (const rev of host.revisions)
        ctx.output.line(
          `      ${rev.id}${rev.role ? ` [${rev.role}]` : ''} ${rev.weight}% of traffic, ${rev.ready}/${rev.instances} ready`,
        );
    }
  }
}

/** Shows every region and host of the environment for each service asked for. */
export async function fleetStatus(
  ctx: CommandContext,
  project: {
    readonly config: ResolvedConfig;
    readonly projectDir: string;
    readonly store: Store;
    readonly env: string;
    readonly fleet: ResolvedFleet;
  },
  service: string | undefined,
): Promise<number> {
  const { config, projectDir, store, env, fleet } = project;
  const hosts = openFleet(ctx, projectDir, store, config, env, fleet);
  try {
    const services = service === undefined ? Object.keys(config.services).sort() : [service];
    for (const name of services) {
      const regions: RegionItem[] = [];
      for (const wave of fleet.waves) {
        const scope = regionScope(env, wave.region);
        const rollout = (await store.listRollouts({ service: name, environment: scope, limit: 1 }))[0];
        const items = await Promise.all(hosts.hostPlatforms(wave.region).map((h) => hostItem(h, name, env)));
        regions.push({
          region: wave.region,
          scope,
          traffic: Math.round(wave.traffic * 1000) / 10,
          rollout: rolloutItem(rollout),
          hosts: items,
        });
      }
      printRegions(ctx, name, env, regions);
    }
    return ExitCode.Ok;
  } finally {
    await hosts.close();
  }
}
