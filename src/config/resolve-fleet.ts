/**
 * Resolves the fleet: every host of the file by name, and for each environment the hosts it
 * deploys to, grouped by region, with its waves (offsets in ms, traffic as fractions), failover
 * and rollback scope. The rules (fleet-rules.ts) report what does not fit; here it is left out.
 */
import type { ConfigOutput } from './config-schema.js';
import type { ConfigPath } from './diagnostic.js';
import type { EnvironmentOutput } from './environment-schema.js';
import type { HostOutput, RegionsOutput } from './fleet-schema.js';
import type { ResolvedFailover, ResolvedFleet, ResolvedHost, ResolvedWave } from './resolved.js';

/** The failover of an environment whose `regions:` sets none (or that has no `regions:`). */
export const DEFAULT_FAILOVER: ResolvedFailover = {
  strategy: 'manual',
  healthThreshold: 0.95,
  switchoverMs: 30_000,
};

/** A wave as written, with where it is. */
export interface WrittenWave {
  readonly region: string;
  readonly offsetMs: number;
  /** Percent, 0..100. */
  readonly traffic: number;
  readonly path: ConfigPath;
}

/** Which hosts and waves apply to an environment, before anything is left out. */
export interface EnvironmentSelection {
  /** Host names the environment deploys to (only defined ones), in file order, each once. */
  readonly hosts: readonly string[];
  /** True when the environment names its hosts (`hosts:` list or mapping). */
  readonly explicit: boolean;
  /** The `regions:` block that applies, the environment's own or the top-level one. */
  readonly regions?: { readonly block: RegionsOutput; readonly path: ConfigPath };
}

/** Every host of the file by name: top-level first, then each environment's own; the first wins. */
export function resolveHosts(config: ConfigOutput): Record<string, ResolvedHost> {
  const out: Record<string, ResolvedHost> = {};
  const add = (hosts: Record<string, HostOutput>, base: ConfigPath): void => {
    for (const [name, host] of Object.entries(hosts)) {
      if (name in out) continue;
      out[name] = { name, address: host.address, region: host.region, dir: host.dir, path: [...base, name] };
    }
  };
  add(config.hosts ?? {}, ['hosts']);
  for (const [env, settings] of Object.entries(config.environments))
    if (settings.hosts !== undefined && !Array.isArray(settings.hosts))
      add(settings.hosts, ['environments', env, 'hosts']);
  return out;
}

/** The waves of a `regions:` block in order: the primary, then each secondary. */
export function writtenWaves(block: RegionsOutput, path: ConfigPath): WrittenWave[] {
  const wave = (w: RegionsOutput['primary'], at: ConfigPath): WrittenWave => ({
    region: w.region,
    offsetMs: w.deployment,
    traffic: w.traffic,
    path: at,
  });
  return [
    wave(block.primary, [...path, 'primary']),
    ...block.secondary.map((w, i) => wave(w, [...path, 'secondary', i])),
  ];
}

/** The hosts and `regions:` block that apply to environment `name`. */
export function selectEnvironment(
  config: ConfigOutput,
  name: string,
  env: EnvironmentOutput,
  hosts: Readonly<Record<string, ResolvedHost>>,
): EnvironmentSelection {
  const regions = env.regions
    ? { block: env.regions, path: ['environments', name, 'regions'] }
    : config.regions
      ? { block: config.regions, path: ['regions'] }
      : undefined;
  if (env.hosts !== undefined) {
    const names = Array.isArray(env.hosts)
      ? env.hosts.filter((h) => config.hosts?.[h] !== undefined)
      : Object.keys(env.hosts).filter(
          (h) => hosts[h]?.path[0] === 'environments' && hosts[h].path[1] === name,
        );
    return { hosts: [...new Set(names)], explicit: true, ...(regions ? { regions } : {}) };
  }
  const waveRegions = regions && new Set(writtenWaves(regions.block, regions.path).map((w) => w.region));
  const names = Object.keys(config.hosts ?? {}).filter(
    (h) => !waveRegions || waveRegions.has(hosts[h]!.region),
  );
  return { hosts: names, explicit: false, ...(regions ? { regions } : {}) };
}

/** The fleet of environment `name`, or undefined when it has no hosts. */
export function resolveFleet(
  config: ConfigOutput,
  name: string,
  env: EnvironmentOutput,
  hosts: Readonly<Record<string, ResolvedHost>>,
): ResolvedFleet | undefined {
  const selection = selectEnvironment(config, name, env, hosts);
  if (selection.hosts.length === 0) return undefined;
  const inRegion = (region: string) => selection.hosts.filter((h) => hosts[h]!.region === region);
  let waves: ResolvedWave[];
  if (selection.regions) {
    const seen = new Set<string>();
    const kept = writtenWaves(selection.regions.block, selection.regions.path).filter((w) => {
      if (seen.has(w.region) || inRegion(w.region).length === 0) return false;
      seen.add(w.region);
      return true;
    });
    // The top-level waves apply to an environment with hosts in only some regions: its shares are rescaled.
    const total = kept.reduce((sum, w) => sum + w.traffic, 0);
    waves = kept.map((w) => ({
      region: w.region,
      offsetMs: w.offsetMs,
      traffic: total > 0 ? w.traffic / total : 0,
    }));
  } else {
    // Without `regions:` every region deploys at once and each host gets an equal share.
    const order = [...new Set(selection.hosts.map((h) => hosts[h]!.region))];
    waves = order.map((region) => ({
      region,
      offsetMs: 0,
      traffic: inRegion(region).length / selection.hosts.length,
    }));
  }
  if (waves.length === 0) return undefined;
  const failover = selection.regions?.block.failover;
  return {
    regions: Object.fromEntries(waves.map((w) => [w.region, inRegion(w.region)])),
    waves,
    failover: failover
      ? {
          strategy: failover.strategy,
          healthThreshold: failover.health_threshold / 100,
          switchoverMs: failover.switchover_time,
        }
      : DEFAULT_FAILOVER,
    rollback: env.rollback,
  };
}
