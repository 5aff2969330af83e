/**
 * Wires an environment's fleet for CLI commands: its hosts (rollout/fleet/fleet-hosts.ts) and the
 * rollout dependencies of a region, with the region's reports labelled. ssh's own settings apply (keys, ssh-agent, ~/.ssh/config, known_hosts),
 * read with the command's environment.
 */
import type { ResolvedConfig, ResolvedFleet } from '../config/resolved.js';
import type { Platform } from '../platform/platform.js';
import type { HostPlatform } from '../platform/remote/index.js';
import type { ControllerDeps, RolloutEvent } from '../rollout/controller/controller-types.js';
import { openFleetHosts } from '../rollout/fleet/fleet-hosts.js';
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
  const base = rolloutDeps(ctx, projectDir, store);
  const hosts = openFleetHosts(config, env, fleet, {
    localStateDir: stateDirOf(projectDir),
    client: sshClientOf(ctx),
  });
  const regionPlatform = (region: string): Platform => hosts.regionPlatform(region);
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
    hostPlatforms: (region) => hosts.hostPlatforms(region),
    regionDeps: (region) => ({
      ...base,
      platform: regionPlatform(region),
      report: (event) => report(region, event),
    }),
    report,
    close: () => hosts.close(),
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
