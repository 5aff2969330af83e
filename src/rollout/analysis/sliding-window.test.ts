import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { RouterMetricsSnapshot } from '../../platform/traffic-metrics.js';
import { createHistogram } from '../../router/histogram.js';
import { SlidingWindow } from './sliding-window.js';

/** A cumulative snapshot where revision `c` has served `requests` with `errors` 5xx and one connection error. */
const snap = (requests: number, errors: number): RouterMetricsSnapshot => ({
  at: 0,
  revisions: { c: { requests, status5xx: errors, connectionErrors: 1, latency: createHistogram() } },
});

describe('SlidingWindow', () => {
  test('every span from an older snapshot to the newest, shortest first, within the last spanMs', () => {
    const window = new SlidingWindow(1000);
    window.push(0, snap(0, 0));
    assert.deepEqual(window.spans('c'), [], 'one snapshot makes no span');
    window.push(400, snap(40, 4));
    window.push(1000, snap(100, 4));
    assert.deepEqual(window.spans('c'), [
      { requests: 60, failed: 0, windowMs: 600 },
      { requests: 100, failed: 4, windowMs: 1000 },
    ]);
    window.push(1300, snap(130, 30));
    // The snapshot at 0 fell out of the last second.
    assert.deepEqual(window.spans('c'), [
      { requests: 30, failed: 26, windowMs: 300 },
      { requests: 90, failed: 26, windowMs: 900 },
    ]);
  });

  test('a revision an older snapshot does not list counts from zero; one the newest does not list has no spans', () => {
    const window = new SlidingWindow(1000);
    window.push(0, { at: 0, revisions: {} });
    window.push(50, snap(5, 2));
    assert.deepEqual(window.spans('c'), [{ requests: 5, failed: 3, windowMs: 50 }]);
    assert.deepEqual(window.spans('other'), []);
  });
});
