/**
 * The hosts of an environment's fleet behind the Platform contract: one SSH connection and
 * HostPlatform per host (made on first use of its region), one RegionPlatform per region over
 * them. The CLI and the server's reconcile passes wire fleets through this one place.
 */
import type { ResolvedConfig, ResolvedFleet, ResolvedHost } from '../../config/resolved.js';
import { closeHosts, type HostPlatform, openHosts } from '../../platform/remote/index.js';
import type { SshClientOptions } from '../../platform/ssh/ssh-target.js';
import { FleetError } from './fleet-errors.js';
import { RegionPlatform } from './region-platform.js';

/** How a fleet's hosts are reached. */
export interface FleetHostsOptions {
  /** Where revisions are built before they are shipped (the project's `.slipway`). */
  readonly localStateDir: string;
  readonly client: SshClientOptions;
}

/** The hosts of one environment, connected on first use; `close()` ends every connection. */
export interface FleetHosts {
  readonly env: string;
  readonly fleet: ResolvedFleet;
  /** The platform of a region's hosts; throws FleetError REGION_UNKNOWN for a region the fleet lacks. */
  regionPlatform(region: string): RegionPlatform;
  /** The platforms of a region's hosts, in the order the config lists them. */
  hostPlatforms(region: string): readonly HostPlatform[];
  close(): Promise<void>;
}

/** Opens (lazily) the hosts of `env`'s fleet as `config` names them. */
export function openFleetHosts(
  config: ResolvedConfig,
  env: string,
  fleet: ResolvedFleet,
  options: FleetHostsOptions,
): FleetHosts {
  const opened: HostPlatform[] = [];
  const regions = new Map<string, { platform: RegionPlatform; hosts: HostPlatform[] }>();
  const open = (region: string) => {
    const known = regions.get(region);
    if (known) return known;
    const names = fleet.regions[region];
    if (!names)
      throw new FleetError(
        'REGION_UNKNOWN',
        `environment ${env} has no region '${region}' (regions: ${Object.keys(fleet.regions).join(', ')})`,
      );
    const hosts = names.map((name) => config.hosts?.[name]).filter((h): h is ResolvedHost => !!h);
    const platforms = openHosts(hosts, { localStateDir: options.localStateDir, client: options.client });
    opened.push(...platforms);
    const platform = new RegionPlatform(
      region,
      platforms.map((p) => ({ name: p.host.name, platform: p })),
    );
    const entry = { platform, hosts: platforms };
    regions.set(region, entry);
    return entry;
  };
  return {
    env,
    fleet,
    regionPlatform: (region) => open(region).platform,
    hostPlatforms: (region) => open(region).hosts,
    close: () => closeHosts(opened),
  };
}
