import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { RevisionMetrics } from '../../platform/traffic-metrics.js';
import { createHistogram, recordLatency } from '../../router/histogram.js';
import { measureRouter } from './measure-router.js';

function window(requests: number, errors: number, latencyMs: number): RevisionMetrics {
  const latency = createHistogram();
  for (let i = 0; i < requests; i++) recordLatency(latency, latencyMs);
  return { requests, status5xx: errors, connectionErrors: 0, latency };
}
const router = { kind: 'router' as const };

describe('router measurements', () => {
  test('error rate and success rate in percent, against max and min', () => {
    const canary = window(100, 3, 5);
    const error = measureRouter({ name: 'error_rate', provider: router, max: 1 }, { canary }, 20);
    assert.equal(error.verdict, 'failure');
    assert.equal(error.value, 3);
    assert.equal(error.message, 'error_rate 3% > 1%');
    const success = measureRouter({ name: 'success_rate', provider: router, min: 99 }, { canary }, 20);
    assert.equal(success.verdict, 'failure');
    assert.equal(success.message, 'success_rate 97% < 99%');
    assert.equal(
      measureRouter({ name: 'error_rate', provider: router, max: 5 }, { canary }, 20).verdict,
      'success',
    );
  });

  test('too little traffic is inconclusive, never success', () => {
    const result = measureRouter(
      { name: 'error_rate', provider: router, max: 1 },
      { canary: window(5, 0, 1) },
      20,
    );
    assert.equal(result.verdict, 'inconclusive');
    assert.match(result.message, /5 request\(s\) in the window, fewer than the 20/);
    assert.equal(
      measureRouter({ name: 'error_rate', provider: router, max: 1 }, {}, 20).verdict,
      'inconclusive',
    );
  });

  test('latency quantile against max, and against the stable revision with maxRatio', () => {
    const canary = window(100, 0, 40);
    const stable = window(100, 0, 10);
    const max = measureRouter(
      { name: 'latency', provider: router, quantile: 'p99', max: 30 },
      { canary },
      20,
    );
    assert.equal(max.verdict, 'failure');
    assert.ok(max.value !== undefined && max.value > 30 && max.value <= 44, String(max.value));
    const ratio = measureRouter(
      { name: 'latency', provider: router, quantile: 'p50', maxRatio: 1.5 },
      { canary, stable },
      20,
    );
    assert.equal(ratio.verdict, 'failure');
    assert.match(ratio.message, /> 1\.5 x stable/);
    const even = measureRouter(
      { name: 'latency', provider: router, quantile: 'p50', maxRatio: 1.5 },
      { canary: stable, stable },
      20,
    );
    assert.equal(even.verdict, 'success');
  });
});
