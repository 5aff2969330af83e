// Region shares as HAProxy server weights. HAProxy balances over servers, not regions, and takes
// whole weights from 0 to 256, so a region's share must be spread over its servers such that every
// region's total stays exactly proportional to its share.
import type { ModelRegion, RegionModel } from './region-model.js';

/** The largest weight HAProxy accepts (`set weight`, management guide 9.3). */
export const HAPROXY_MAX_WEIGHT = 256;

/** The HAProxy server name of a region's `index`-th upstream; region names hold no dot, so names never collide. */
export function serverName(region: string, index: number): string {
  return `${region}.${index}`;
}

function gcd(a: number, b: number): number {
  let x = a;
  let y = b;
  while (y !== 0) [x, y] = [y, x % y];
  return x;
}

/**
 * The weight of every server, by serverName, for the regions' shares (states are applied apart,
 * with `set server state`). Each region's servers add up to `k * share` for one `k` shared by all
 * regions, so the split between regions is exact. When an equal weight per server of a region
 * fits in 0..256 it is used (reduced to the smallest such weights); otherwise `k` is the largest
 * that fits and a region's servers differ by at most 1. A region at 0 gets 0 on every server.
 */
export function haproxyWeights(model: RegionModel): Map<string, number> {
  const weights = new Map<string, number>();
  const active = model.regions.filter((region) => region.weight > 0);
  const setAll = (region: ModelRegion, weightOf: (index: number) => number): void => {
    for (let i = 0; i < region.upstreams.length; i++) weights.set(serverName(region.name, i), weightOf(i));
  };
  for (const region of model.regions) if (region.weight === 0) setAll(region, () => 0);
  if (active.length === 0) return weights;

  // Equal weights per server: the smallest scale making share * scale / servers whole for every region.
  let scale = 1;
  for (const region of active) {
    const n = region.upstreams.length;
    const need = n / gcd(region.weight, n);
    scale = (scale * need) / gcd(scale, need);
  }
  const equal = active.map((region) => (scale * region.weight) / region.upstreams.length);
  const common = equal.reduce((g, w) => gcd(g, w));
  if (equal.every((w) => w / common <= HAPROXY_MAX_WEIGHT)) {
    active.forEach((region, r) => {
      setAll(region, () => equal[r]! / common);
    });
    return weights;
  }

  // Unequal: the largest k whose per-server weights, k * share / servers rounded up, stay within 256.
  const k = Math.min(
    ...active.map((region) => Math.floor((HAPROXY_MAX_WEIGHT * region.upstreams.length) / region.weight)),
  );
  for (const region of active) {
    const total = k * region.weight;
    const n = region.upstreams.length;
    const base = Math.floor(total / n);
    setAll(region, (i) => base + (i < total % n ? 1 : 0));
  }
  return weights;
}
