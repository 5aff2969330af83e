// Per-revision metrics of a live router, windowed by diffSnapshots and rendered for Prometheus.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { quantile } from '../../src/router/histogram.js';
import { diffSnapshots } from '../../src/router/metrics.js';
import { renderPrometheus } from '../../src/router/prometheus.js';
import { guardProcess, send, startRouter, startUpstream } from './helpers/harness.js';

guardProcess();

describe('router: metrics', () => {
  test('counts requests, 5xx and latency per revision; windows and renders them', async () => {
    const upstream = await startUpstream('app', (req, res) => {
      req.resume();
      const wait = req.url === '/slow' ? 60 : 0;
      setTimeout(() => {
        res.statusCode = req.url === '/fail' ? 503 : 200;
        res.end('x');
      }, wait);
    });
    const { router, port } = await startRouter();
    try {
      router.setTable({
        sticky: false,
        revisions: [
          { id: 'r-stable', role: 'stable', weight: 100, instances: [upstream.instance()] },
          { id: 'r-canary', role: 'canary', weight: 0, instances: [{ ...upstream.instance(), id: 'app-2' }] },
        ],
      });
      for (let i = 0; i < 10; i++) await send(port);
      const before = router.metrics();
      for (let i = 0; i < 4; i++) await send(port, { path: '/fail' });
      for (let i = 0; i < 6; i++)
        await send(port, { path: '/slow', headers: { 'x-slipway-revision': 'canary' } });
      const after = router.metrics();
      assert.ok(after.at >= before.at);
      assert.equal(after.revisions['r-stable']?.requests, 14);
      assert.equal(after.revisions['r-stable']?.status5xx, 4);
      assert.equal(after.revisions['r-canary']?.requests, 6);

      const window = diffSnapshots(after, before);
      assert.equal(window.revisions['r-stable']?.requests, 4);
      assert.equal(window.revisions['r-stable']?.status5xx, 4);
      const slowP50 = quantile(window.revisions['r-canary']!.latency, 0.5)!;
      assert.ok(slowP50 >= 50 && slowP50 < 1000, `canary p50 ${slowP50} ms`);
      const fastP50 = quantile(before.revisions['r-stable']!.latency, 0.5)!;
      assert.ok(fastP50 < slowP50, `stable p50 ${fastP50} ms, canary p50 ${slowP50} ms`);

      const text = renderPrometheus([{ labels: { service: 'web', env: 'prod' }, snapshot: after }]);
      assert.match(
        text,
        /^slipway_router_requests_total\{service="web",env="prod",revision="r-stable"\} 14$/m,
      );
      assert.match(
        text,
        /^slipway_router_responses_5xx_total\{service="web",env="prod",revision="r-stable"\} 4$/m,
      );
      assert.match(
        text,
        /^slipway_router_request_duration_seconds_count\{service="web",env="prod",revision="r-canary"\} 6$/m,
      );

      // A snapshot is a copy: later traffic does not change it.
      await send(port);
      assert.equal(after.revisions['r-stable']?.requests, 14);
    } finally {
      await router.close();
      await upstream.close();
    }
  });
});
