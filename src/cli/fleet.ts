/**
 * Wires an environment's fleet for CLI commands: one SSH connection and HostPlatform per host of
 * the environment (made on first use), one RegionPlatform per region over them, and the rollout
 * dependencies of a region. ssh's own settings apply (keys, ssh-agent, ~/.ssh/config, known_hosts),
 * read with the command's environment.
 */
import type { ResolvedConfig, ResolvedFleet, ResolvedHost } from '../config/resolved.js';
import type { Platform } from '../platform/platform.js';
import { closeHosts, type HostPlatform, openHosts } from '../platform/remote/index.js';
import type { ControllerDeps, RolloutEvent } from '../rollout/controller/controller-types.js';
import { FleetError } from '../rollout/fleet/fleet-errors.js';
import { RegionPlatform } from '../rollout/fleet/region-platform.js';
import type { Store } from '../store/store.js';
import type { CommandContext } from './context.js';
import { UsageError } from './errors.js';
import { stateDirOf } from './platform.js';
import { loadProject } from './project.js';
import { rolloutDeps } from './rollout-deps.js';
import { sshClientOf } from './ssh-client.js';

/** The hosts of one environment, connected on first use; `close()` ends every connection. */
export interface CliFleet {
  readonly env: string;
  readonly fleet: ResolvedFleet;
  /** The platform of a region's hosts. */
  regionPlatform(region: string): Platform;
  /** The platforms of a region's hosts, in the order the config lists them. */
  hostPlatforms(region: string): readonly HostPlatform[];
  /** The rollout dependencies of one region (its platform instead of the local one, its reports labelled). */
  regionDeps(region: string): ControllerDeps;
  /** Reports a region's rollout event: under a `region R:` heading, or with a `region` field in JSON. */
  report(region: string, event: RolloutEvent): void;
  close(): Promise<void>;
}

/** The fleet of `env`, or undefined when the environment runs on this machine. */
export function fleetOf(config: ResolvedConfig, env: string): ResolvedFleet | undefined {
  return config.environments[env]?.fleet;
}

/** Connects (lazily) to the hosts of `env`'s fleet for a command. */
export function openFleet(
  ctx: CommandContext,
  projectDir: string,
  store: Store,
  config: ResolvedConfig,
  env: string,
  fleet: ResolvedFleet,
): CliFleet {
  const opened: HostPlatform[] = [];
  const regions = new Map<string, { platform: RegionPlatform; hosts: HostPlatform[] }>();
  const base = rolloutDeps(ctx, projectDir, store);
  const open = (region: string) => {
    const known = regions.get(region);
    if (known) return known;
    const names = fleet.regions[region];
    if (!names) {
      throw new FleetError(
        'REGION_UNKNOWN',
        `environment ${env} has no region '${region}' (regions: ${Object.keys(fleet.regions).join(', ')})`,
      );
    }
    const hosts = names.map((name) => config.hosts?.[name]).filter((h): h is ResolvedHost => !!h);
    const platforms = openHosts(hosts, {
      localStateDir: stateDirOf(projectDir),
      client: sshClientOf(ctx),
    });
    opened.push(...platforms);
    const platform = new RegionPlatform(
      region,
      platforms.map((p) => ({ name: p.host.name, platform: p })),
    );
    const entry = { platform, hosts: platforms };
    regions.set(region, entry);
    return entry;
  };
  const regionPlatform = (region: string): Platform => open(region).platform;
  let shown: string | undefined;
  const report = (region: string, event: RolloutEvent) => {
    if (ctx.output.json) return base.report(Object.assign({ region }, event));
    if (region !== shown) ctx.output.line(ctx.output.paint('bold', `region ${region}:`));
    shown = region;
    base.report(event);
  };
  return {
    env,
    fleet,
    regionPlatform,
    hostPlatforms: (region) => open(region).hosts,
    regionDeps: (region) => ({
      ...base,
      platform: regionPlatform(region),
      report: (event) => report(region, event),
    }),
    report,
    close: () => closeHosts(opened),
  };
}

/**
 * The project and fleet of `env` when it has hosts; undefined when it runs on this machine. A
 * config that does not load is only an error with `--region` (plain controls work without it).
 */
export async function loadFleetProject(ctx: CommandContext, env: string, region: string | undefined) {
  let loaded: Awaited<ReturnType<typeof loadProject>>;
  try {
    loaded = await loadProject(ctx);
  } catch (error) {
    if (region !== undefined) throw error;
    return undefined;
  }
  const fleet = fleetOf(loaded.config, env);
  if (!fleet) {
    if (region !== undefined)
      throw new UsageError(`--region ${region}: environment ${env} has no hosts (it runs on this machine)`);
    return undefined;
  }
  return { config: loaded.config, projectDir: loaded.projectDir, env, fleet, region };
}
