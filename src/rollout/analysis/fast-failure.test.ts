import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { MetricCheck } from './analysis-types.js';
import { fastChecks, fastFailure } from './fast-failure.js';

const router = { kind: 'router' as const };
const errorRate: MetricCheck = { name: 'error_rate', provider: router, max: 1 };
/** The fast rule's verdict on one span of `requests` with `failed`, or 'none'. */
const fire = (checks: MetricCheck[], requests: number, failed: number, minRequests = 20) =>
  fastFailure(fastChecks(checks), [{ requests, failed, windowMs: 200 }], minRequests)?.verdict ?? 'none';

describe('the fast rule', () => {
  test('fires at half of at least 20 requests failing, not below either bound', () => {
    assert.equal(fire([errorRate], 20, 10), 'failure');
    assert.equal(fire([errorRate], 20, 9), 'none', '45% is below half');
    assert.equal(fire([errorRate], 19, 19), 'none', '19 requests are too few, even all failing');
    assert.equal(fire([errorRate], 1000, 499), 'none');
  });

  test('minRequests above 20 raises the floor; below 20 it does not lower it', () => {
    assert.equal(fire([errorRate], 40, 40, 50), 'none');
    assert.equal(fire([errorRate], 50, 40, 50), 'failure');
    assert.equal(fire([errorRate], 10, 10, 3), 'none');
  });

  test('a blip (under 10% failing) and a steady 0.5% never fire, however many requests', () => {
    assert.equal(fire([errorRate], 20, 1), 'none');
    assert.equal(fire([errorRate], 10_000, 999), 'none');
    assert.equal(fire([errorRate], 10_000, 50), 'none');
  });

  test('the error rate must also be five times what the threshold tolerates', () => {
    const loose: MetricCheck = { name: 'error_rate', provider: router, max: 15 };
    assert.equal(fire([loose], 100, 74), 'none');
    assert.equal(fire([loose], 100, 75), 'failure');
    // Above 20% no error rate is five times the threshold: the interval judges alone.
    assert.equal(fire([{ ...loose, max: 25 }], 100, 100), 'none');
  });

  test('the shortest span that trips the rule is reported', () => {
    // Newest first: 12 of 12 in 60 ms (too few), 30 of 40 in 150 ms, 40 of 200 in 900 ms.
    const spans = [
      { requests: 12, failed: 12, windowMs: 60 },
      { requests: 40, failed: 30, windowMs: 150 },
      { requests: 200, failed: 40, windowMs: 900 },
    ];
    const measured = fastFailure(fastChecks([errorRate]), spans, 20);
    assert.deepEqual([measured?.value, measured?.requests, measured?.windowMs], [75, 40, 150]);
    assert.equal(fastFailure(fastChecks([errorRate]), spans.slice(2), 20), undefined, '20% is not half');
  });

  test('success_rate with a min is judged through its error rate; other checks are left to the interval', () => {
    const success: MetricCheck = { name: 'success_rate', provider: router, min: 99 };
    const measured = fastFailure(fastChecks([success]), [{ requests: 40, failed: 40, windowMs: 120 }], 20);
    assert.equal(measured?.message, 'success_rate 0% < 99%');
    assert.deepEqual(
      fastChecks([
        { name: 'latency', provider: router, max: 300 },
        { name: 'error_rate', provider: router, maxRatio: 2 },
        { name: 'error_rate', provider: { kind: 'http', url: 'http://127.0.0.1:1/x' }, max: 1 },
      ]),
      [],
    );
  });

  test('the failed measurement reads like an interval one, so the rollback reason does too', () => {
    const measured = fastFailure(fastChecks([errorRate]), [{ requests: 30, failed: 30, windowMs: 90 }], 20);
    assert.equal(measured?.message, 'error_rate 100% > 1%');
    assert.equal(fastFailure(fastChecks([errorRate]), [], 20), undefined, 'no canary traffic');
  });
});
