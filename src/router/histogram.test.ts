import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  bucketIndex,
  copyHistogram,
  createHistogram,
  LATENCY_BOUNDS_MS,
  quantile,
  recordLatency,
  subtractHistogram,
} from './histogram.js';

describe('latency histogram', () => {
  test('bounds grow by about 10% from 0.05 ms to past 60 s', () => {
    assert.equal(LATENCY_BOUNDS_MS[0], 0.05);
    assert.ok(LATENCY_BOUNDS_MS[LATENCY_BOUNDS_MS.length - 1]! >= 60_000);
    for (let i = 1; i < LATENCY_BOUNDS_MS.length; i++) {
      const ratio = LATENCY_BOUNDS_MS[i]! / LATENCY_BOUNDS_MS[i - 1]!;
      assert.ok(ratio > 1.08 && ratio < 1.12, `ratio ${ratio} at ${i}`);
    }
  });

  test('bucketIndex finds the first bound at or above the value', () => {
    const bounds = LATENCY_BOUNDS_MS;
    assert.equal(bucketIndex(0), 0);
    assert.equal(bucketIndex(-1), 0);
    assert.equal(bucketIndex(Number.NaN), 0);
    assert.equal(bucketIndex(1e9), bounds.length);
    for (let i = 0; i < bounds.length; i++) {
      assert.equal(bucketIndex(bounds[i]!), i, `at bound ${bounds[i]}`);
      assert.equal(bucketIndex(bounds[i]! * 1.0001), i + 1, `just past bound ${bounds[i]}`);
    }
  });

  test('quantiles are within 10% of the exact value', () => {
    const histogram = createHistogram();
    const values: number[] = [];
    // A skewed distribution from 0.2 ms to ~200 ms.
    for (let i = 0; i < 10_000; i++) {
      const value = 0.2 * Math.exp((i / 10_000) * Math.log(1000));
      values.push(value);
      recordLatency(histogram, value);
    }
    assert.equal(histogram.count, 10_000);
    for (const q of [0.5, 0.9, 0.99]) {
      const exact = values[Math.ceil(q * values.length) - 1]!;
      const estimate = quantile(histogram, q)!;
      assert.ok(Math.abs(estimate - exact) / exact < 0.1, `q${q}: ${estimate} vs ${exact}`);
    }
  });

  test('quantile of an empty histogram is undefined; overflow reports the last bound', () => {
    const histogram = createHistogram();
    assert.equal(quantile(histogram, 0.5), undefined);
    recordLatency(histogram, 10 * 60_000);
    assert.equal(quantile(histogram, 0.99), LATENCY_BOUNDS_MS[LATENCY_BOUNDS_MS.length - 1]);
  });

  test('subtracting a copy leaves what was recorded since', () => {
    const histogram = createHistogram();
    recordLatency(histogram, 1);
    const before = copyHistogram(histogram);
    recordLatency(histogram, 5);
    recordLatency(histogram, 5);
    const window = subtractHistogram(histogram, before);
    assert.equal(window.count, 2);
    assert.equal(window.sumMs, 10);
    assert.equal(window.counts[bucketIndex(5)], 2);
    assert.equal(window.counts[bucketIndex(1)], 0);
    assert.equal(before.count, 1, 'the copy is independent');
  });
});
