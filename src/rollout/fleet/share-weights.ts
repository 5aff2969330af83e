/**
 * From configured shares and region phases to the whole-number weights a traffic director takes:
 * a failed-over region gets nothing, a restoring one its steps' part of its share, and the
 * regions in service split the rest in proportion to their configured shares; largest-remainder
 * rounding then makes whole numbers that add up to exactly 100.
 */
import type { RegionPhase } from './failover-types.js';

/**
 * Whole numbers summing to exactly `total` in proportion to `parts` (Hamilton's method): each
 * gets the floor of its exact quota, and the units left go to the largest remainders, ties to the
 * earlier key. Undefined when no part is above 0.
 */
export function largestRemainder(
  parts: Readonly<Record<string, number>>,
  total = 100,
): Record<string, number> | undefined {
  const entries = Object.entries(parts).map(([name, part]) => [name, Math.max(0, part)] as const);
  const sum = entries.reduce((acc, [, part]) => acc + part, 0);
  if (!(sum > 0)) return undefined;
  const quotas = entries.map(([name, part], index) => {
    const exact = (part * total) / sum;
    // Shares such as 0.3 * 100 come out as 30.000000000000004: snap near-whole quotas first.
    const near = Math.round(exact);
    const quota = Math.abs(exact - near) < 1e-9 ? near : exact;
    return { name, index, whole: Math.floor(quota), remainder: quota - Math.floor(quota) };
  });
  let left = total - quotas.reduce((acc, q) => acc + q.whole, 0);
  const order = [...quotas].sort((a, b) => b.remainder - a.remainder || a.index - b.index);
  for (const q of order) {
    if (left <= 0) break;
    q.whole++;
    left--;
  }
  return Object.fromEntries(quotas.map((q) => [q.name, q.whole]));
}

/** The part (0..1) of its configured share a region in `phase` keeps, `steps` being a whole restore. */
function keptPart(phase: RegionPhase, steps: number): number {
  if (phase.status === 'failed_over') return 0;
  if (phase.status === 'restoring') return Math.min(1, phase.step / steps);
  return 1;
}

/**
 * The weights for `phases` (0..100, summing to 100), or undefined when no region with a share
 * could take traffic. What failed-over and restoring regions do not take goes to the regions in
 * service in proportion to their shares; with none in service, the restoring regions take it all.
 */
export function weightsFor(
  shares: Readonly<Record<string, number>>,
  phases: Readonly<Record<string, RegionPhase>>,
  steps: number,
): Record<string, number> | undefined {
  const names = Object.keys(shares);
  const share = (name: string): number => Math.max(0, shares[name] ?? 0);
  const total = names.reduce((acc, name) => acc + share(name), 0);
  const inService = names.filter((name) => phases[name]?.status === 'in_service' && share(name) > 0);
  const restoring = names.filter((name) => phases[name]?.status === 'restoring' && share(name) > 0);
  // Keys in configured order, so plans and the weights applied list regions as the config does.
  const parts: Record<string, number> = Object.fromEntries(names.map((name) => [name, 0]));
  if (inService.length > 0) {
    let fixed = 0;
    for (const name of names) {
      const phase = phases[name];
      if (phase?.status === 'in_service') continue;
      parts[name] = phase === undefined ? 0 : share(name) * keptPart(phase, steps);
      fixed += parts[name];
    }
    const receiving = inService.reduce((acc, name) => acc + share(name), 0);
    for (const name of names) {
      if (phases[name]?.status !== 'in_service') continue;
      parts[name] = (share(name) / receiving) * (total - fixed);
    }
  } else if (restoring.length > 0) {
    for (const name of names) parts[name] = restoring.includes(name) ? share(name) : 0;
  } else return undefined;
  return largestRemainder(parts);
}
