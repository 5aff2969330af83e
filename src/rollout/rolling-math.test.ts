import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ResolvedCountOrPercent } from '../config/resolved.js';
import { batchCount, FencepostError, resolveFenceposts, scaledValue } from './rolling-math.js';

// `2` is a count, `'25%'` a percentage, as written in slipway.yaml.
const v = (x: number | string): ResolvedCountOrPercent =>
  typeof x === 'number' ? { value: x, percent: false } : { value: Number.parseFloat(x), percent: true };

describe('rolling arithmetic (Kubernetes ResolveFenceposts)', () => {
  const cases: [
    instances: number,
    surge: number | string,
    unavailable: number | string,
    expected: [number, number],
  ][] = [
    [10, '25%', '25%', [3, 2]],
    [4, '25%', '25%', [1, 1]],
    [5, '25%', '25%', [2, 1]],
    [1, '25%', '25%', [1, 0]],
    [1, '25%', 0, [1, 0]],
    [10, '25%', 0, [3, 0]],
    [1, 1, 0, [1, 0]],
    [1, 0, 1, [0, 1]],
    [3, 0, 1, [0, 1]],
    [10, '30%', '30%', [3, 3]],
    [3, '10%', '10%', [1, 0]],
    [3, '0%', '10%', [0, 1]],
    [3, 0, '50%', [0, 1]],
    [2, '50%', 0, [1, 0]],
    [7, '100%', '100%', [7, 7]],
    [3, 0, 5, [0, 5]],
    [8, '12.5%', '12.5%', [1, 1]],
    [12, 2, '34%', [2, 4]],
  ];
  for (const [instances, surge, unavailable, [s, u]] of cases) {
    test(`${instances} instances, maxSurge ${surge}, maxUnavailable ${unavailable} -> surge ${s}, unavailable ${u}`, () => {
      assert.deepEqual(resolveFenceposts(instances, v(surge), v(unavailable)), { surge: s, unavailable: u });
    });
  }

  test('0 and 0 as written is an error (as Kubernetes validation rejects it)', () => {
    for (const [surge, unavailable] of [
      [0, 0],
      ['0%', 0],
      [0, '0%'],
      ['0%', '0%'],
    ] as const)
      assert.throws(
        () => resolveFenceposts(3, v(surge), v(unavailable)),
        (error: unknown) => error instanceof FencepostError && error.code === 'ZERO_SURGE_AND_UNAVAILABLE',
      );
  });

  test('percentages round up for surge and down for unavailable, exactly on whole numbers', () => {
    assert.equal(scaledValue(v('25%'), 10, true), 3);
    assert.equal(scaledValue(v('25%'), 10, false), 2);
    assert.equal(scaledValue(v('30%'), 10, true), 3);
    assert.equal(scaledValue(v('70%'), 10, false), 7);
    assert.equal(scaledValue(v(4), 10, true), 4);
  });

  test('batch size: a count, or a percentage rounded up, at least 1', () => {
    assert.equal(batchCount(v('25%'), 10), 3);
    assert.equal(batchCount(v('25%'), 1), 1);
    assert.equal(batchCount(v('1%'), 12), 1);
    assert.equal(batchCount(v(2), 10), 2);
    assert.equal(batchCount(v('100%'), 7), 7);
  });
});
