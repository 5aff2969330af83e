import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { RouterMetricsSnapshot } from '../platform/traffic-metrics.js';
import { quantile, recordLatency } from './histogram.js';
import { copyRevisionMetrics, createRevisionMetrics, diffSnapshots } from './metrics.js';

describe('diffSnapshots', () => {
  test('subtracts counters and histograms per revision', () => {
    const stable = createRevisionMetrics();
    stable.requests = 10;
    stable.status5xx = 1;
    recordLatency(stable.latency, 2);
    const older: RouterMetricsSnapshot = { at: 1000, revisions: { stable: copyRevisionMetrics(stable) } };
    stable.requests = 25;
    stable.status5xx = 4;
    stable.connectionErrors = 2;
    for (let i = 0; i < 10; i++) recordLatency(stable.latency, 40);
    const canary = createRevisionMetrics();
    canary.requests = 3;
    const newer: RouterMetricsSnapshot = {
      at: 6000,
      revisions: { stable: copyRevisionMetrics(stable), canary: copyRevisionMetrics(canary) },
    };

    const window = diffSnapshots(newer, older);
    assert.equal(window.at, 6000);
    assert.equal(window.revisions.stable?.requests, 15);
    assert.equal(window.revisions.stable?.status5xx, 3);
    assert.equal(window.revisions.stable?.connectionErrors, 2);
    assert.equal(window.revisions.stable?.latency.count, 10);
    const p50 = quantile(window.revisions.stable!.latency, 0.5)!;
    assert.ok(Math.abs(p50 - 40) / 40 < 0.1, `p50 of the window was ${p50}`);
    assert.equal(window.revisions.canary?.requests, 3, 'a new revision counts from zero');
  });

  test('never goes negative and tolerates a revision named __proto__', () => {
    const a = createRevisionMetrics();
    a.requests = 5;
    const b = createRevisionMetrics();
    b.requests = 7;
    const newer: RouterMetricsSnapshot = { at: 2, revisions: Object.fromEntries([['__proto__', a]]) };
    const older: RouterMetricsSnapshot = { at: 1, revisions: Object.fromEntries([['__proto__', b]]) };
    const window = diffSnapshots(newer, older);
    assert.equal(Object.getPrototypeOf(window.revisions), Object.prototype);
    assert.equal(Object.getOwnPropertyDescriptor(window.revisions, '__proto__')?.value.requests, 0);
  });

  test('subtracts flag variants like revisions', () => {
    const on = createRevisionMetrics();
    on.requests = 4;
    on.status5xx = 1;
    recordLatency(on.latency, 5);
    const older: RouterMetricsSnapshot = {
      at: 1,
      revisions: {},
      variants: { 'f=on': copyRevisionMetrics(on) },
    };
    on.requests = 10;
    on.status5xx = 3;
    on.connectionErrors = 1;
    recordLatency(on.latency, 5);
    const off = createRevisionMetrics();
    off.requests = 2;
    const newer: RouterMetricsSnapshot = {
      at: 2,
      revisions: {},
      variants: { 'f=on': copyRevisionMetrics(on), 'f=off': copyRevisionMetrics(off) },
    };
    const window = diffSnapshots(newer, older);
    assert.equal(window.variants?.['f=on']?.requests, 6);
    assert.equal(window.variants?.['f=on']?.status5xx, 2);
    assert.equal(window.variants?.['f=on']?.connectionErrors, 1);
    assert.equal(window.variants?.['f=on']?.latency.count, 1);
    assert.equal(window.variants?.['f=off']?.requests, 2, 'a new variant counts from zero');
    const fromNothing = diffSnapshots(newer, { at: 0, revisions: {} });
    assert.equal(fromNothing.variants?.['f=on']?.requests, 10, 'variants missing from older count from zero');
  });

  test('leaves variants absent when the newer snapshot has none', () => {
    const neither = diffSnapshots({ at: 2, revisions: {} }, { at: 1, revisions: {} });
    assert.equal('variants' in neither, false);
    const onlyOlder = diffSnapshots(
      { at: 2, revisions: {} },
      { at: 1, revisions: {}, variants: { 'f=on': createRevisionMetrics() } },
    );
    assert.equal('variants' in onlyOlder, false);
  });
});
