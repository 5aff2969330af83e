/**
 * The text `slipway plan` shows for an environment with hosts: one heading per wave (region,
 * when it starts, its traffic share, its hosts), and what a failure rolls back and how failover
 * behaves. Only text: plan.ts prints it, with each wave's steps under its heading.
 */
import { formatDuration } from '../../config/duration.js';
import type { FleetPlan, FleetWavePlan } from '../../rollout/fleet/fleet-plan.js';

/** What the header line adds for a fleet: `, 6 hosts in 3 regions`. */
export function fleetSize(plan: FleetPlan): string {
  const hosts = plan.waves.reduce((sum, wave) => sum + wave.hosts.length, 0);
  const regions = plan.waves.length;
  return `${hosts} host${hosts === 1 ? '' : 's'} in ${regions} region${regions === 1 ? '' : 's'}`;
}

/** One heading per wave, in order, columns aligned: `Wave 2  eu-west-1  +5m, after us-east-1 completes  30% of traffic  euw1-a, euw1-b`. */
export function waveHeadings(plan: FleetPlan): string[] {
  const rows = plan.waves.map((wave, i) => ({
    wave: `Wave ${i + 1}`,
    region: wave.region,
    start: startOf(wave),
    traffic: `${wave.traffic}% of traffic`,
    hosts: wave.hosts.join(', '),
  }));
  const width = (key: 'wave' | 'region' | 'start' | 'traffic') => Math.max(...rows.map((r) => r[key].length));
  return rows.map((row) =>
    [
      row.wave.padEnd(width('wave')),
      row.region.padEnd(width('region')),
      row.start.padEnd(width('start')),
      row.traffic.padStart(width('traffic')),
      row.hosts,
    ].join('  '),
  );
}

/** When a wave starts: `immediate`, `+5m`, or `+5m, after us-east-1 completes` (and the soonest, when its holds make it later). */
export function startOf(wave: FleetWavePlan): string {
  const offset = wave.startsAtMs === 0 ? '' : `+${formatDuration(wave.startsAtMs)}`;
  if (wave.after === undefined) return offset || 'immediate';
  const after = `after ${wave.after} completes`;
  const soonest =
    wave.earliestStartMs > wave.startsAtMs ? ` (not before +${formatDuration(wave.earliestStartMs)})` : '';
  return `${offset ? `${offset}, ` : ''}${after}${soonest}`;
}

/** What a failure does and how failover behaves, one sentence each. */
export function fleetFooter(plan: FleetPlan): string[] {
  const rollback =
    plan.rollback === 'all'
      ? 'every region changed so far rolls back (rollback: all)'
      : 'only the failing region rolls back, the regions before it keep the new revision (rollback: region)';
  const { strategy, healthThreshold, switchoverMs } = plan.failover;
  const who = strategy === 'automatic' ? 'automatic' : 'manual (reported; an operator moves the traffic)';
  return [
    `On failure: the rollout stops, no later wave starts, and ${rollback}`,
    `Failover: ${who} when under ${healthThreshold}% of a region's health checks pass; switchover < ${formatDuration(switchoverMs)}`,
  ];
}
