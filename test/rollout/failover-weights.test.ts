/** Failover weights: largest-remainder rounding and the split of failed-over and restoring shares always sum to 100. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { largestRemainder, weightsFor } from '../../src/rollout/fleet/share-weights.js';

describe('weights always add up to 100', () => {
  test('largest remainder on known cases', () => {
    assert.deepEqual(largestRemainder({ a: 1, b: 1, c: 1 }), { a: 34, b: 33, c: 33 });
    assert.deepEqual(largestRemainder({ a: 0.4, b: 0.3, c: 0.3 }), { a: 40, b: 30, c: 30 });
    assert.deepEqual(largestRemainder({ a: 0.4, c: 0.3 }), { a: 57, c: 43 });
    assert.deepEqual(largestRemainder({ a: 0.1, b: 0.2, c: 0.7 }), { a: 10, b: 20, c: 70 });
    assert.equal(largestRemainder({ a: 0, b: 0 }), undefined);
  });

  test('thousands of share combinations and phases: whole numbers, sum 100, within 1 of the exact part', () => {
    let seed = 42;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let round = 0; round < 5000; round++) {
      const count = 1 + Math.floor(random() * 7);
      const raw = Array.from({ length: count }, () => (random() < 0.15 ? 0 : Math.floor(random() * 100)));
      if (!raw.some((x) => x > 0)) raw[0] = 1;
      const sum = raw.reduce((s, x) => s + x, 0);
      const shares = Object.fromEntries(raw.map((x, i) => [`r${i}`, x / sum]));
      const exact = largestRemainder(shares) as Record<string, number>;
      assert.equal(
        Object.values(exact).reduce((s, w) => s + w, 0),
        100,
        JSON.stringify(shares),
      );
      for (const [name, w] of Object.entries(exact)) {
        assert.ok(Number.isInteger(w) && Math.abs(w - (shares[name] ?? 0) * 100) < 1, JSON.stringify(shares));
      }
      const phases = Object.fromEntries(
        Object.keys(shares).map((name) => {
          const pick = random();
          if (pick < 0.5) return [name, { status: 'in_service', since: 0 }];
          if (pick < 0.75) return [name, { status: 'failed_over', mode: 'automatic', since: 0 }];
          const step = 1 + Math.floor(random() * 3);
          return [name, { status: 'restoring', mode: 'manual', since: 0, triggeredAt: 0, step, stepAt: 0 }];
        }),
      ) as Parameters<typeof weightsFor>[1];
      const weights = weightsFor(shares, phases, 4);
      if (weights === undefined) {
        assert.ok(Object.entries(phases).every(([n, p]) => p.status === 'failed_over' || shares[n] === 0));
        continue;
      }
      assert.equal(
        Object.values(weights).reduce((s, w) => s + w, 0),
        100,
        JSON.stringify({ shares, phases }),
      );
      for (const [name, phase] of Object.entries(phases)) {
        if (phase.status === 'failed_over') assert.equal(weights[name], 0);
        assert.ok(Number.isInteger(weights[name]) && (weights[name] ?? -1) >= 0);
      }
    }
  });
});
