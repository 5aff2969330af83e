/**
 * Cross-field rules of the fleet: host names unique across the file, environments that name
 * defined hosts, and `regions:` blocks whose regions have hosts, whose waves start in order and
 * whose traffic shares add up to 100%.
 */
import type { ConfigOutput } from './config-schema.js';
import type { ConfigPath, Diagnostic } from './diagnostic.js';
import { formatDuration } from './duration.js';
import { selectEnvironment, type WrittenWave, writtenWaves } from './resolve-fleet.js';
import type { ResolvedConfig } from './resolved.js';
import { pos, ruleDiagnostics } from './rule-diagnostics.js';
import type { ConfigSource } from './source.js';
import { didYouMean } from './suggest.js';

const startText = (ms: number) => (ms === 0 ? 'immediate' : `+${formatDuration(ms)}`);
const round = (n: number) => Number(n.toFixed(6));

/** Runs the fleet rules and returns their errors. */
export function checkFleetRules(
  config: ConfigOutput,
  resolved: ResolvedConfig,
  source: ConfigSource,
): Diagnostic[] {
  const { out, error } = ruleDiagnostics(source);
  const hosts = resolved.hosts ?? {};
  const topHosts = Object.keys(config.hosts ?? {});
  const allRegions = [...new Set(Object.values(hosts).map((h) => h.region))];

  // Host names are unique across the file: an environment's own host may not reuse one.
  for (const [env, settings] of Object.entries(config.environments)) {
    if (settings.hosts === undefined || Array.isArray(settings.hosts)) continue;
    for (const name of Object.keys(settings.hosts)) {
      const path: ConfigPath = ['environments', env, 'hosts', name];
      const first = hosts[name];
      if (first && first.path.join('/') !== path.join('/'))
        error(
          path,
          `duplicate host '${name}' (first defined at ${pos(source.keyAt(first.path))})`,
          source.keyAt(path),
        );
    }
  }

  // Each `regions:` block on its own: one wave per region, waves in order, shares adding up to 100%.
  const checkBlock = (waves: readonly WrittenWave[], blockPath: ConfigPath): void => {
    const seen = new Map<string, WrittenWave>();
    waves.forEach((wave, i) => {
      const first = seen.get(wave.region);
      if (first)
        error(
          [...wave.path, 'region'],
          `region '${wave.region}' already has a wave (at ${pos(source.valueAt([...first.path, 'region']))})`,
        );
      else seen.set(wave.region, wave);
      const before = waves[i - 1];
      if (before && wave.offsetMs <= before.offsetMs)
        error(
          [...wave.path, 'deployment'],
          `each wave starts after the one before ('${before.region}' at ${startText(before.offsetMs)}), got ${startText(wave.offsetMs)}`,
        );
    });
    const sum = round(waves.reduce((total, w) => total + w.traffic, 0));
    if (sum !== 100)
      error(
        blockPath,
        `the traffic shares of the waves add up to ${sum}%${waves.length > 1 ? ` (${waves.map((w) => `${w.traffic}%`).join(' + ')})` : ''}, not 100%`,
        source.keyAt(blockPath),
      );
  };
  const unknownRegion = (path: ConfigPath, region: string): void =>
    error(
      path,
      `unknown region '${region}': no host is in it${
        allRegions.length === 0
          ? ' (declare hosts under `hosts:`)'
          : didYouMean(region, allRegions) || ` (regions of the hosts: ${allRegions.join(', ')})`
      }`,
    );

  if (config.regions) {
    const waves = writtenWaves(config.regions, ['regions']);
    checkBlock(waves, ['regions']);
    for (const wave of waves)
      if (!allRegions.includes(wave.region)) unknownRegion([...wave.path, 'region'], wave.region);
  }

  for (const [env, settings] of Object.entries(config.environments)) {
    const envPath: ConfigPath = ['environments', env];
    if (Array.isArray(settings.hosts)) {
      const listed = new Set<string>();
      settings.hosts.forEach((name, i) => {
        const path: ConfigPath = [...envPath, 'hosts', i];
        if (listed.has(name)) error(path, `host '${name}' is listed twice`);
        else if (!topHosts.includes(name))
          error(
            path,
            `unknown host '${name}'${
              topHosts.length === 0
                ? ' (declare it under top-level `hosts:`)'
                : didYouMean(name, topHosts) || ` (hosts: ${topHosts.join(', ')})`
            }`,
          );
        listed.add(name);
      });
    }
    const selection = selectEnvironment(config, env, settings, hosts);
    const own = settings.regions !== undefined;
    const waves = selection.regions && writtenWaves(selection.regions.block, selection.regions.path);
    if (own && waves) {
      checkBlock(waves, [...envPath, 'regions']);
      const envRegions = [...new Set(selection.hosts.map((h) => hosts[h]!.region))];
      for (const wave of waves) {
        const at: ConfigPath = [...wave.path, 'region'];
        if (!selection.explicit) {
          if (!allRegions.includes(wave.region)) unknownRegion(at, wave.region);
        } else if (!envRegions.includes(wave.region))
          error(
            at,
            `environment '${env}' has no host in region '${wave.region}'${
              envRegions.length > 0 ? ` (its hosts are in ${envRegions.join(', ')})` : ''
            }`,
          );
      }
    }
    if (!selection.explicit || !waves) continue;
    // Hosts the environment names must be in a region that has a wave.
    const waveRegions = waves.map((w) => w.region);
    const block = own ? "this environment's `regions:`" : 'the top-level `regions:`';
    for (const name of selection.hosts) {
      const region = hosts[name]!.region;
      if (waveRegions.includes(region)) continue;
      const path: ConfigPath = Array.isArray(settings.hosts)
        ? [...envPath, 'hosts', settings.hosts.indexOf(name)]
        : [...envPath, 'hosts', name, 'region'];
      error(path, `host '${name}' is in region '${region}', which ${block} has no wave for`);
    }
    const kept = waves.filter((w) => selection.hosts.some((h) => hosts[h]!.region === w.region));
    if (!own && kept.length > 0 && kept.every((w) => w.traffic === 0))
      error(
        [...envPath, 'hosts'],
        `environment '${env}' would get no traffic: its hosts' regions have 0% in the top-level \`regions:\``,
        source.keyAt([...envPath, 'hosts']),
      );
  }
  return out;
}
