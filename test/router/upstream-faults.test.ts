// Upstream faults never crash the router: refused and raced connections, resets mid-response,
// garbage and timeouts end in a retry, a 502/504 or a cut response.
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { describe, test } from 'node:test';
import type { RouteInstance } from '../../src/router/route-table.js';
import { guardProcess, listen, send, startRouter, startUpstream, waitFor } from './helpers/harness.js';

guardProcess();

/** A loopback port nothing listens on (bound, then released). */
async function deadPort(): Promise<number> {
  const server = createServer();
  const port = await listen(server);
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function dead(id: string, port: number): RouteInstance {
  return { id, host: '127.0.0.1', port, ready: true };
}

/**
 * A raw upstream whose connections answer one request with keep-alive, then close as soon as the
 * next request arrives: the race a pooled connection to a closing server runs into.
 */
async function oneShotUpstream(): Promise<{ server: Server; port: number; connections: () => number }> {
  let connections = 0;
  const server = createServer((socket: Socket) => {
    connections++;
    let buffer = '';
    let answered = false;
    socket.setEncoding('latin1');
    socket.on('error', () => {});
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      if (!buffer.includes('\r\n\r\n')) return;
      if (answered) {
        socket.destroy();
        return;
      }
      answered = true;
      buffer = '';
      socket.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok');
    });
  });
  const port = await listen(server);
  return { server, port, connections: () => connections };
}

describe('router: upstream connection failures', () => {
  test('a GET refused by one instance is retried on another', async () => {
    const alive = await startUpstream('alive');
    const { router, port } = await startRouter();
    try {
      router.setTable({
        sticky: false,
        revisions: [{ id: 'r', weight: 100, instances: [dead('dead', await deadPort()), alive.instance()] }],
      });
      for (let i = 0; i < 20; i++) {
        const reply = await send(port);
        assert.equal(reply.status, 200);
        assert.equal(reply.text, 'alive');
      }
      const metrics = router.metrics().revisions.r!;
      assert.ok(
        metrics.connectionErrors >= 5,
        `${metrics.connectionErrors} refused connections were retried`,
      );
      assert.equal(metrics.status5xx, 0);
      assert.equal(router.inflight('dead'), 0);
    } finally {
      await router.close();
      await alive.close();
    }
  });

  test('a POST to a refusing instance gets 502, and so does a GET with nowhere else to go', async () => {
    const { router, port } = await startRouter();
    try {
      router.setTable({
        sticky: false,
        revisions: [{ id: 'r', weight: 100, instances: [dead('dead', await deadPort())] }],
      });
      const post = await send(port, { method: 'POST', body: 'payload' });
      assert.equal(post.status, 502);
      assert.equal(post.headers['x-slipway-revision'], 'r');
      const get = await send(port);
      assert.equal(get.status, 502);
      const metrics = router.metrics().revisions.r!;
      assert.equal(metrics.status5xx, 2);
      assert.equal(metrics.requests, 2);
    } finally {
      await router.close();
    }
  });

  test('a GET on a pooled connection the upstream just closed is retried on a fresh one; a POST is not', async () => {
    const upstream = await oneShotUpstream();
    const { router, port } = await startRouter();
    try {
      router.setTable({
        sticky: false,
        revisions: [{ id: 'r', weight: 100, instances: [dead('one', upstream.port)] }],
      });
      for (let i = 0; i < 5; i++) {
        const reply = await send(port);
        assert.equal(reply.status, 200, `GET ${i}`);
        assert.equal(reply.text, 'ok');
      }
      assert.ok(upstream.connections() >= 5, 'each retry used a new connection');
      const post = await send(port, { method: 'POST', body: 'x' });
      assert.equal(post.status, 502, 'a non-idempotent request is not replayed');
    } finally {
      await router.close();
      await new Promise((resolve) => upstream.server.close(resolve));
    }
  });

  test('an upstream that resets mid-response cuts the client response; the next request is served', async () => {
    const flaky = await startUpstream('flaky', (req, res) => {
      req.resume();
      if (req.url === '/reset') {
        res.writeHead(200, { 'content-length': '1000' });
        res.write('x'.repeat(100));
        setTimeout(() => res.socket?.destroy(), 20);
        return;
      }
      res.end('fine');
    });
    const { router, port } = await startRouter();
    try {
      router.setTable({
        sticky: false,
        revisions: [{ id: 'r', weight: 100, instances: [flaky.instance()] }],
      });
      await assert.rejects(send(port, { path: '/reset' }));
      const next = await send(port);
      assert.equal(next.status, 200);
      assert.equal(next.text, 'fine');
      await waitFor(() => router.inflight('flaky') === 0);
      assert.equal(router.metrics().revisions.r?.connectionErrors, 1);
    } finally {
      await router.close();
      await flaky.close();
    }
  });

  test('an upstream that answers garbage gets 502', async () => {
    const garbage = createServer((socket) => {
      socket.on('error', () => {});
      socket.once('data', () => socket.end('SMTP ready\r\n\r\n'));
    });
    const garbagePort = await listen(garbage);
    const { router, port } = await startRouter();
    try {
      router.setTable({
        sticky: false,
        revisions: [{ id: 'r', weight: 100, instances: [dead('g', garbagePort)] }],
      });
      const reply = await send(port);
      assert.equal(reply.status, 502);
      assert.equal(reply.text, 'bad gateway: invalid upstream response\n');
    } finally {
      await router.close();
      await new Promise((resolve) => garbage.close(resolve));
    }
  });

  test('an upstream that does not answer in time gets 504', async () => {
    const silent = await startUpstream('silent', (req) => req.resume());
    const { router, port } = await startRouter({ upstreamTimeoutMs: 200 });
    try {
      router.setTable({
        sticky: false,
        revisions: [{ id: 'r', weight: 100, instances: [silent.instance()] }],
      });
      const started = Date.now();
      const reply = await send(port);
      assert.equal(reply.status, 504);
      assert.ok(Date.now() - started >= 150, 'answered after the timeout');
      assert.equal(router.inflight('silent'), 0);
    } finally {
      await router.close();
      silent.server.closeAllConnections();
      await silent.close();
    }
  });
});
