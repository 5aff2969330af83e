// Per flag variant counting by a live router at its edges: responses without the header, malformed
// pairs, and an upstream that fails after its response head named a variant.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FLAG_VARIANTS_HEADER } from '../../src/platform/traffic-metrics.js';
import { guardProcess, send, startRouter, startUpstream, waitFor } from './helpers/harness.js';

guardProcess();

describe('router: flag variant counting', () => {
  test('no variants until a response names one; malformed pairs are skipped; a cut response is a connection error', async () => {
    const upstream = await startUpstream('app', (req, res) => {
      req.resume();
      if (req.url === '/plain') {
        res.end('plain');
        return;
      }
      if (req.url === '/reset') {
        res.writeHead(200, { 'content-length': '1000', [FLAG_VARIANTS_HEADER]: 'exp=a' });
        res.write('x'.repeat(100));
        setTimeout(() => res.socket?.destroy(), 20);
        return;
      }
      res.writeHead(200, { [FLAG_VARIANTS_HEADER]: 'garbage, =x, exp = b ,exp=b, theme=dark mode' });
      res.end('ok');
    });
    const { router, port } = await startRouter();
    try {
      router.setTable({
        sticky: false,
        revisions: [{ id: 'r', weight: 100, instances: [upstream.instance()] }],
      });
      assert.equal((await send(port, { path: '/plain' })).status, 200);
      assert.equal('variants' in router.metrics(), false, 'no variants field before a response names one');

      const named = await send(port, { path: '/named' });
      assert.equal(named.status, 200);
      assert.equal(named.headers[FLAG_VARIANTS_HEADER], undefined);
      await assert.rejects(send(port, { path: '/reset' }));
      await waitFor(() => router.inflight('app') === 0);

      const snapshot = router.metrics();
      assert.equal(snapshot.revisions.r?.requests, 3);
      const counted = Object.fromEntries(
        Object.entries(snapshot.variants ?? {}).map(([pair, m]) => [
          pair,
          [m.requests, m.status5xx, m.connectionErrors, m.latency.count],
        ]),
      );
      assert.deepEqual(counted, { 'exp=b': [1, 0, 0, 1], 'exp=a': [1, 0, 1, 0] });
    } finally {
      await router.close();
      await upstream.close();
    }
  });
});
