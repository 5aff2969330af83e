// Weighted routing, overrides, sticky sessions, least-outstanding picks and header handling,
// through a real Router in front of real upstream servers.
import assert from 'node:assert/strict';
import { Agent, type IncomingMessage, type ServerResponse } from 'node:http';
import { after, before, describe, test } from 'node:test';
import type { Router } from '../../src/router/router.js';
import {
  guardProcess,
  send,
  startRouter,
  startUpstream,
  type TestUpstream,
  waitFor,
} from './helpers/harness.js';

guardProcess();

describe('router: routing', () => {
  let router: Router;
  let port: number;
  let stable: TestUpstream;
  let canary: TestUpstream;
  let echo: TestUpstream;
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });

  before(async () => {
    stable = await startUpstream('stable-1');
    canary = await startUpstream('canary-1');
    echo = await startUpstream('echo', (req: IncomingMessage, res: ServerResponse) => {
      req.resume();
      if (req.url === '/empty') {
        res.writeHead(204, { 'content-length': '3' });
        res.end();
        return;
      }
      const body = JSON.stringify({ url: req.url, headers: req.headers });
      res.setHeader('content-type', 'application/json');
      res.setHeader('content-length', Buffer.byteLength(body));
      res.setHeader('set-cookie', 'session=abc; Path=/');
      res.setHeader('connection', 'keep-alive, x-upstream-private');
      res.setHeader('x-upstream-private', 'secret');
      res.end(body);
    });
    ({ router, port } = await startRouter());
  });

  after(async () => {
    agent.destroy();
    await router.close();
    await Promise.all([stable.close(), canary.close(), echo.close()]);
  });

  test('splits 1000 requests 10/90 within tolerance', async () => {
    router.setTable({
      sticky: false,
      revisions: [
        { id: 'r-canary', role: 'canary', weight: 10, instances: [canary.instance()] },
        { id: 'r-stable', role: 'stable', weight: 90, instances: [stable.instance()] },
      ],
    });
    const counts = new Map<string, number>();
    for (let batch = 0; batch < 50; batch++) {
      const replies = await Promise.all(Array.from({ length: 20 }, () => send(port, { agent })));
      for (const reply of replies) {
        assert.equal(reply.status, 200);
        assert.equal(
          reply.headers['x-slipway-revision'],
          reply.text === 'canary-1' ? 'r-canary' : 'r-stable',
        );
        counts.set(reply.text, (counts.get(reply.text) ?? 0) + 1);
      }
    }
    const canaryCount = counts.get('canary-1') ?? 0;
    // Binomial(1000, 0.1): mean 100, sd 9.5; 55..150 is beyond 4.5 sd either way.
    assert.ok(canaryCount >= 55 && canaryCount <= 150, `canary got ${canaryCount} of 1000`);
    assert.equal(canaryCount + (counts.get('stable-1') ?? 0), 1000);
    const metrics = router.metrics();
    assert.equal(metrics.revisions['r-canary']?.requests, canaryCount);
    assert.equal(metrics.revisions['r-stable']?.latency.count, 1000 - canaryCount);
  });

  test('the override header and cookie reach a weight-0 revision, by id or role', async () => {
    router.setTable({
      sticky: false,
      revisions: [
        { id: 'r-stable', role: 'stable', weight: 100, instances: [stable.instance()] },
        { id: 'r-canary', role: 'canary', weight: 0, instances: [canary.instance()] },
      ],
    });
    for (let i = 0; i < 20; i++) assert.equal((await send(port, { agent })).text, 'stable-1');
    for (const value of ['canary', 'r-canary']) {
      const byHeader = await send(port, { agent, headers: { 'X-Slipway-Revision': value } });
      assert.equal(byHeader.text, 'canary-1');
      assert.equal(byHeader.headers['x-slipway-revision'], 'r-canary');
      const byCookie = await send(port, { agent, headers: { cookie: `a=1; slipway-revision=${value}` } });
      assert.equal(byCookie.text, 'canary-1');
    }
    const header = await send(port, {
      agent,
      headers: { 'x-slipway-revision': 'stable', cookie: 'slipway-revision=canary' },
    });
    assert.equal(header.text, 'stable-1', 'the header wins over the cookie');
  });

  test('an unknown override answers 404 naming it', async () => {
    const reply = await send(port, { agent, headers: { 'x-slipway-revision': 'r-nope' } });
    assert.equal(reply.status, 404);
    assert.equal(reply.text, 'unknown revision r-nope\n');
    assert.match(String(reply.headers['content-type']), /^text\/plain/);
  });

  test('sticky tables pin a client to the revision it first got', async () => {
    router.setTable({
      sticky: true,
      revisions: [
        { id: 'r-a', weight: 50, instances: [stable.instance()] },
        { id: 'r-b', weight: 50, instances: [canary.instance()] },
        { id: 'r-echo', weight: 0, instances: [echo.instance()] },
      ],
    });
    const first = await send(port, { agent });
    const cookie = first.headers['set-cookie']?.find((c) => c.startsWith('slipway-sticky='));
    assert.ok(cookie, 'a sticky cookie is set');
    const revision = first.headers['x-slipway-revision'];
    assert.equal(cookie, `slipway-sticky=${revision}; Path=/; HttpOnly; SameSite=Lax`);
    for (let i = 0; i < 30; i++) {
      const next = await send(port, { agent, headers: { cookie: `other=1; slipway-sticky=${revision}` } });
      assert.equal(next.headers['x-slipway-revision'], revision);
      assert.equal(next.headers['set-cookie'], undefined, 'no new cookie while the pin holds');
    }
    // A pin to a revision that no longer takes traffic is replaced, appended to the upstream's cookies.
    router.setTable({
      sticky: true,
      revisions: [
        { id: 'r-a', weight: 0, instances: [stable.instance()] },
        { id: 'r-echo', weight: 100, instances: [echo.instance()] },
      ],
    });
    const moved = await send(port, { agent, headers: { cookie: 'slipway-sticky=r-a' } });
    assert.equal(moved.headers['x-slipway-revision'], 'r-echo');
    assert.deepEqual(moved.headers['set-cookie'], [
      'session=abc; Path=/',
      'slipway-sticky=r-echo; Path=/; HttpOnly; SameSite=Lax',
    ]);
  });

  test('forwards X-Forwarded-*, strips hop-by-hop and override headers both ways', async () => {
    router.setTable({
      sticky: false,
      revisions: [{ id: 'r-echo', weight: 100, instances: [echo.instance()] }],
    });
    const reply = await send(port, {
      agent,
      path: '/some/path?q=1&r=%20',
      headers: {
        host: 'app.example.com',
        'x-slipway-revision': 'r-echo',
        'x-forwarded-for': '6.6.6.6',
        'proxy-authorization': 'Basic Zm9v',
        'x-custom': 'kept',
      },
    });
    assert.equal(reply.status, 200);
    const seen = JSON.parse(reply.text) as { url: string; headers: Record<string, string> };
    assert.equal(seen.url, '/some/path?q=1&r=%20');
    assert.equal(seen.headers.host, 'app.example.com');
    assert.equal(seen.headers['x-forwarded-for'], '127.0.0.1');
    assert.equal(seen.headers['x-forwarded-proto'], 'http');
    assert.equal(seen.headers['x-forwarded-host'], 'app.example.com');
    assert.equal(seen.headers['x-custom'], 'kept');
    assert.equal(seen.headers['x-slipway-revision'], undefined);
    assert.equal(seen.headers['proxy-authorization'], undefined);
    assert.equal(reply.headers['x-upstream-private'], undefined, 'headers named in Connection are dropped');
    assert.equal(reply.headers['x-slipway-revision'], 'r-echo');
  });

  test('HEAD and 204 responses pass through without a body', async () => {
    router.setTable({
      sticky: false,
      revisions: [{ id: 'r-echo', weight: 100, instances: [echo.instance()] }],
    });
    for (let i = 0; i < 3; i++) {
      const head = await send(port, { agent, method: 'HEAD' });
      assert.equal(head.status, 200);
      assert.equal(head.body.length, 0);
      assert.ok(Number(head.headers['content-length']) > 0, 'HEAD keeps the upstream content-length');
      const empty = await send(port, { agent, path: '/empty' });
      assert.equal(empty.status, 204);
      assert.equal(empty.body.length, 0);
      const next = await send(port, { agent });
      assert.equal(next.status, 200, 'pooled connections stay in sync after HEAD and 204');
      assert.ok(next.text.startsWith('{'));
    }
  });
});

describe('router: least outstanding requests', () => {
  test('spreads held requests evenly and sends new ones to the least busy instance', async () => {
    const parked: ServerResponse[] = [];
    const park = (req: IncomingMessage, res: ServerResponse): void => {
      req.resume();
      parked.push(res);
    };
    const a = await startUpstream('a', park);
    const b = await startUpstream('b', park);
    const c = await startUpstream('c', (req, res) => {
      req.resume();
      res.end('c');
    });
    const { router, port } = await startRouter();
    try {
      router.setTable({
        sticky: false,
        revisions: [{ id: 'r', weight: 100, instances: [a.instance(), b.instance()] }],
      });
      const pending: Promise<unknown>[] = [];
      for (let i = 1; i <= 6; i++) {
        pending.push(send(port));
        await waitFor(() => parked.length === i, 5000, `request ${i} parked`);
      }
      assert.equal(a.received, 3);
      assert.equal(b.received, 3);
      assert.equal(router.inflight('a'), 3);
      // c joins idle: it gets every new request until it is as busy as the others.
      router.setTable({
        sticky: false,
        revisions: [{ id: 'r', weight: 100, instances: [a.instance(), b.instance(), c.instance()] }],
      });
      for (let i = 0; i < 10; i++) assert.equal((await send(port)).text, 'c');
      for (const res of parked) res.end('done');
      await Promise.all(pending);
      assert.equal(router.inflight('a'), 0);
    } finally {
      for (const res of parked) if (!res.writableEnded) res.end();
      await router.close();
      await Promise.all([a.close(), b.close(), c.close()]);
    }
  });
});
