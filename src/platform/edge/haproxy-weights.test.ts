import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { HAPROXY_MAX_WEIGHT, haproxyWeights } from './haproxy-weights.js';
import type { ModelRegion, RegionModel } from './region-model.js';

/** A model whose regions have `servers` upstreams each and the given shares. */
function model(regions: readonly (readonly [name: string, share: number, servers: number])[]): RegionModel {
  return {
    regions: regions.map(
      ([name, weight, servers]): ModelRegion => ({
        name,
        weight,
        state: 'ready',
        upstreams: Array.from({ length: servers }, (_, i) => ({
          address: `10.0.0.${i + 1}:80`,
          host: `10.0.0.${i + 1}`,
          port: 80,
        })),
      }),
    ),
  };
}

/** Each region's servers added up. */
function regionTotals(m: RegionModel, weights: Map<string, number>): number[] {
  return m.regions.map((region) =>
    region.upstreams.reduce((sum, _, i) => sum + weights.get(`${region.name}.${i}`)!, 0),
  );
}

/** True when every region's total is exactly its share of the whole (cross-multiplied, no rounding). */
function exact(m: RegionModel, weights: Map<string, number>): boolean {
  const totals = regionTotals(m, weights);
  const all = totals.reduce((a, b) => a + b, 0);
  return m.regions.every((region, r) => totals[r]! * 100 === region.weight * all);
}

describe('HAProxy weights from region shares', () => {
  test('one server per region: the share is the weight, reduced', () => {
    const m = model([
      ['eu', 30, 1],
      ['us', 70, 1],
    ]);
    assert.deepEqual(
      [...haproxyWeights(m)],
      [
        ['eu.0', 3],
        ['us.0', 7],
      ],
    );
    const whole = model([
      ['eu', 100, 1],
      ['us', 0, 1],
    ]);
    assert.deepEqual(
      [...haproxyWeights(whole)],
      [
        ['us.0', 0],
        ['eu.0', 1],
      ],
    );
  });

  test('several servers: equal weights inside a region when they fit', () => {
    const m = model([
      ['eu', 50, 1],
      ['us', 50, 3],
    ]);
    const weights = haproxyWeights(m);
    assert.deepEqual([...weights.values()], [3, 1, 1, 1]);
    assert.ok(exact(m, weights));
  });

  test('when equal weights would pass 256, totals stay exact and servers differ by at most 1', () => {
    const m = model([
      ['eu', 97, 3],
      ['us', 3, 4],
    ]);
    const weights = haproxyWeights(m);
    assert.ok(exact(m, weights), JSON.stringify([...weights]));
    assert.ok([...weights.values()].every((w) => Number.isInteger(w) && w >= 1 && w <= HAPROXY_MAX_WEIGHT));
    const eu = [0, 1, 2].map((i) => weights.get(`eu.${i}`)!);
    assert.ok(Math.max(...eu) - Math.min(...eu) <= 1);
  });

  test('every split of 100 over up to 3 regions with 1..4 servers maps exactly within 0..256', () => {
    let checked = 0;
    for (let a = 0; a <= 100; a += 1) {
      for (let b = 0; a + b <= 100; b += 7) {
        for (const servers of [
          [1, 1, 1],
          [2, 3, 4],
          [4, 1, 3],
        ] as const) {
          const m = model([
            ['a', a, servers[0]],
            ['b', b, servers[1]],
            ['c', 100 - a - b, servers[2]],
          ]);
          const weights = haproxyWeights(m);
          assert.ok(exact(m, weights), JSON.stringify({ a, b, servers, weights: [...weights] }));
          for (const [name, w] of weights) {
            assert.ok(Number.isInteger(w) && w >= 0 && w <= HAPROXY_MAX_WEIGHT, `${name}=${w}`);
          }
          checked++;
        }
      }
    }
    assert.ok(checked > 2000);
  });
});
