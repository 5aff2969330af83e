// Table changes never drop a request: instances leaving the table finish what they have, and a
// long run of weight shifts and instance replacements under load sees no failure at all.
import assert from 'node:assert/strict';
import { Agent, type IncomingMessage, type ServerResponse } from 'node:http';
import { describe, test } from 'node:test';
import type { RouteTable } from '../../src/router/route-table.js';
import {
  guardProcess,
  send,
  startRouter,
  startUpstream,
  type TestUpstream,
  waitFor,
} from './helpers/harness.js';

guardProcess();

describe('router: draining', () => {
  test('an instance removed with a slow request in flight finishes it; waitIdle resolves', async () => {
    const slow = await startUpstream('slow', (req, res, upstream) => {
      req.resume();
      setTimeout(() => res.end(upstream.name), 300);
    });
    const fast = await startUpstream('fast');
    const { router, port } = await startRouter();
    try {
      router.setTable({
        sticky: false,
        revisions: [{ id: 'r-1', weight: 100, instances: [slow.instance()] }],
      });
      const inFlight = send(port);
      await waitFor(() => slow.received === 1, 5000, 'the slow request to arrive');
      router.setTable({
        sticky: false,
        revisions: [{ id: 'r-2', weight: 100, instances: [fast.instance()] }],
      });
      assert.equal(router.inflight('slow'), 1);
      assert.equal(await router.waitIdle('slow', 20), false, 'still busy');
      for (let i = 0; i < 5; i++)
        assert.equal((await send(port)).text, 'fast', 'new requests avoid the leaving instance');
      const idle = router.waitIdle('slow', 5000);
      const reply = await inFlight;
      assert.equal(reply.status, 200);
      assert.equal(reply.text, 'slow');
      assert.equal(reply.headers['x-slipway-revision'], 'r-1');
      assert.equal(await idle, true);
      assert.equal(router.inflight('slow'), 0);
      assert.equal(slow.received, 1);
    } finally {
      await router.close();
      await Promise.all([slow.close(), fast.close()]);
    }
  });

  test('an instance marked not ready gets no new requests but finishes its own', async () => {
    const parked: ServerResponse[] = [];
    const a = await startUpstream('a', (req, res) => {
      req.resume();
      parked.push(res);
    });
    const b = await startUpstream('b');
    const { router, port } = await startRouter();
    try {
      const table = (aReady: boolean): RouteTable => ({
        sticky: false,
        revisions: [{ id: 'r', weight: 100, instances: [a.instance(aReady), b.instance()] }],
      });
      router.setTable(table(true));
      router.setTable({ sticky: false, revisions: [{ id: 'r', weight: 100, instances: [a.instance()] }] });
      const held = send(port);
      await waitFor(() => parked.length === 1);
      router.setTable(table(false));
      for (let i = 0; i < 5; i++) assert.equal((await send(port)).text, 'b');
      parked[0]!.end('a');
      assert.equal((await held).text, 'a');
      assert.equal(await router.waitIdle('a', 1000), true);
    } finally {
      await router.close();
      await Promise.all([a.close(), b.close()]);
    }
  });

  test('waitIdle on an unknown or idle instance resolves true at once', async () => {
    const { router } = await startRouter();
    try {
      assert.equal(await router.waitIdle('nobody', 10), true);
      assert.equal(router.inflight('nobody'), 0);
    } finally {
      await router.close();
    }
  });
});

/** Answers its name after 0-2 ms, or 25 ms for one request in 20, so changes catch requests in flight. */
function variedLatency(req: IncomingMessage, res: ServerResponse, upstream: TestUpstream): void {
  let bytes = 0;
  req.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
  });
  req.on('end', () => {
    const wait = Math.random() < 0.05 ? 25 : Math.floor(Math.random() * 3);
    setTimeout(() => res.end(`${upstream.name}:${bytes}`), wait);
  });
}

describe('router: changes under load', () => {
  test('50 weight shifts and instance replacements under continuous load fail no request', {
    timeout: 120_000,
  }, async () => {
    const CLIENTS = 8;
    const CHANGES = 50;
    const MAX_REQUESTS_PER_CLIENT = 20_000;
    const { router, port } = await startRouter();
    const live: TestUpstream[] = [
      await startUpstream('gen-a', variedLatency),
      await startUpstream('gen-b', variedLatency),
    ];
    const table = (change: number): RouteTable => {
      const weight = (change * 37) % 101;
      return {
        sticky: false,
        revisions: [
          { id: `r-${change}`, role: 'canary', weight, instances: [live[1]!.instance()] },
          { id: 'r-stable', role: 'stable', weight: 100 - weight, instances: [live[0]!.instance()] },
        ],
      };
    };
    router.setTable(table(0));

    const failures: string[] = [];
    const seen = new Set<string>();
    let ok = 0;
    let stop = false;
    const clients = Array.from({ length: CLIENTS }, async (_, c) => {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      try {
        for (let i = 0; !stop && i < MAX_REQUESTS_PER_CLIENT; i++) {
          const post = i % 4 === 3;
          const body = post ? `client ${c} request ${i}` : undefined;
          try {
            const reply = await send(port, {
              agent,
              method: post ? 'POST' : 'GET',
              path: `/?c=${c}&i=${i}`,
              body,
            });
            const [name, bytes] = reply.text.split(':');
            if (reply.status !== 200 || !name?.startsWith('gen-') || Number(bytes) !== (body?.length ?? 0)) {
              failures.push(`${post ? 'POST' : 'GET'} ${c}/${i}: ${reply.status} ${reply.text}`);
            } else {
              ok++;
              seen.add(name);
            }
          } catch (error) {
            failures.push(`${post ? 'POST' : 'GET'} ${c}/${i}: ${(error as Error).message}`);
          }
        }
      } finally {
        agent.destroy();
      }
    });

    try {
      await waitFor(() => ok >= 200, 20_000, 'load to start');
      for (let change = 1; change <= CHANGES; change++) {
        const fresh = await startUpstream(`gen-${change}`, variedLatency);
        // Replace the canary instance on odd changes and the stable one on even changes.
        const leaving = live.splice(change % 2, 1, fresh)[0]!;
        router.setTable(table(change));
        assert.equal(await router.waitIdle(leaving.name, 10_000), true, `${leaving.name} drained`);
        await leaving.close();
        const mark = ok;
        await waitFor(() => ok >= mark + 20, 20_000, `traffic after change ${change}`);
      }
      const before = ok;
      await waitFor(() => ok >= before + 200, 20_000, 'load on the last table');
    } finally {
      stop = true;
      await Promise.all(clients);
      await router.close();
      await Promise.all(live.map((upstream) => upstream.close()));
    }
    assert.deepEqual(failures, []);
    assert.ok(ok >= 1000, `only ${ok} requests completed`);
    assert.ok(seen.size >= 40, `traffic reached ${seen.size} instance generations`);
    const metrics = router.metrics();
    const total = Object.values(metrics.revisions).reduce((sum, m) => sum + m.requests, 0);
    const errors = Object.values(metrics.revisions).reduce((sum, m) => sum + m.status5xx, 0);
    assert.equal(total, ok);
    assert.equal(errors, 0);
  });
});
