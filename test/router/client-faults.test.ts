// Client faults never crash the router, requests wait while no instance is ready, and the
// router's own lifecycle errors are typed.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { connect } from 'node:net';
import { describe, test } from 'node:test';
import { isRouterError } from '../../src/router/errors.js';
import { Router } from '../../src/router/router.js';
import { delay, guardProcess, send, startRouter, startUpstream, waitFor } from './helpers/harness.js';

guardProcess();

/** Sends raw bytes and resolves everything the server answers before closing. */
function rawExchange(port: number, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let text = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      text += chunk;
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(text));
    socket.setTimeout(5000, () => socket.destroy(new Error('no answer')));
    socket.write(bytes);
  });
}

describe('router: client faults', () => {
  test('a client that disconnects mid-upload aborts the upstream request; the router keeps serving', async () => {
    let aborted = 0;
    const sink = await startUpstream('sink', (req, res) => {
      req.on('data', () => {});
      req.on('close', () => {
        if (!req.complete) aborted++;
      });
      req.on('end', () => res.end('got it'));
    });
    const { router, port } = await startRouter();
    try {
      router.setTable({ sticky: false, revisions: [{ id: 'r', weight: 100, instances: [sink.instance()] }] });
      const req = request({
        host: '127.0.0.1',
        port,
        method: 'POST',
        agent: false,
        headers: { 'content-length': String(10 * 1024 * 1024) },
      });
      req.on('error', () => {});
      req.write(Buffer.alloc(1024 * 1024));
      await waitFor(() => router.inflight('sink') === 1, 5000, 'the upload to start');
      await delay(20);
      req.destroy();
      await waitFor(() => aborted === 1, 5000, 'the upstream request to be aborted');
      assert.equal(await router.waitIdle('sink', 5000), true);
      const next = await send(port, { method: 'POST', body: 'small' });
      assert.equal(next.status, 200);
      assert.equal(next.text, 'got it');
    } finally {
      await router.close();
      await sink.close();
    }
  });

  test('a slow upload or a slow reader does not count against the upstream timeout', async () => {
    const upstream = await startUpstream('patient', (req, res) => {
      let bytes = 0;
      req.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
      });
      req.on('end', () => {
        res.write('x'.repeat(1024 * 1024));
        res.end(`:${bytes}`);
      });
    });
    const { router, port } = await startRouter({ upstreamTimeoutMs: 150 });
    try {
      router.setTable({
        sticky: false,
        revisions: [{ id: 'r', weight: 100, instances: [upstream.instance()] }],
      });
      const text = await new Promise<string>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, method: 'POST', agent: false }, (res) => {
          let body = '';
          res.setEncoding('latin1');
          res.pause();
          // Read nothing for a while: backpressure reaches the upstream connection.
          setTimeout(() => {
            res.on('data', (chunk: string) => {
              body += chunk;
            });
            res.resume();
          }, 400);
          res.on('end', () => resolve(body));
          res.on('error', reject);
        });
        req.on('error', reject);
        req.write('first ');
        setTimeout(() => req.end('second'), 400);
      });
      assert.equal(text.length, 1024 * 1024 + ':12'.length);
      assert.ok(text.endsWith(':12'));
    } finally {
      await router.close();
      await upstream.close();
    }
  });

  test('a malformed request line gets 400 and the connection is closed', async () => {
    const { router, port } = await startRouter();
    try {
      const answer = await rawExchange(port, 'GET / HTTP/1.1 extra\r\nHost: x\r\n\r\n');
      assert.match(answer, /^HTTP\/1\.1 400 Bad Request\r\n/);
      const binary = await rawExchange(port, '\x00\x01\x02 nonsense\r\n\r\n');
      assert.match(binary, /^HTTP\/1\.1 400 Bad Request\r\n/);
    } finally {
      await router.close();
    }
  });

  test('a header section over the limit gets 431', async () => {
    const { router, port } = await startRouter();
    try {
      const answer = await rawExchange(
        port,
        `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
      );
      assert.match(answer, /^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
    } finally {
      await router.close();
    }
  });
});

describe('router: holding requests', () => {
  test('a request that arrives with no ready instance waits for a table that has one', async () => {
    const late = await startUpstream('late');
    const { router, port } = await startRouter();
    try {
      router.setTable({
        sticky: false,
        revisions: [{ id: 'r', weight: 100, instances: [late.instance(false)] }],
      });
      const started = Date.now();
      const pending = send(port);
      setTimeout(() => {
        router.setTable({
          sticky: false,
          revisions: [{ id: 'r', weight: 100, instances: [late.instance(true)] }],
        });
      }, 300);
      const reply = await pending;
      assert.equal(reply.status, 200);
      assert.equal(reply.text, 'late');
      assert.ok(Date.now() - started >= 250, 'it was held until the table changed');
    } finally {
      await router.close();
      await late.close();
    }
  });

  test('an override to a revision without ready instances waits too', async () => {
    const late = await startUpstream('late-canary');
    const stable = await startUpstream('stable');
    const { router, port } = await startRouter();
    try {
      const table = (ready: boolean) => ({
        sticky: false,
        revisions: [
          { id: 'r-stable', role: 'stable' as const, weight: 100, instances: [stable.instance()] },
          { id: 'r-canary', role: 'canary' as const, weight: 0, instances: [late.instance(ready)] },
        ],
      });
      router.setTable(table(false));
      const pending = send(port, { headers: { 'x-slipway-revision': 'canary' } });
      await delay(100);
      router.setTable(table(true));
      assert.equal((await pending).text, 'late-canary');
    } finally {
      await router.close();
      await Promise.all([late.close(), stable.close()]);
    }
  });

  test('a held request times out with 503 and retry-after', async () => {
    const { router, port } = await startRouter({ holdTimeoutMs: 200 });
    try {
      const started = Date.now();
      const reply = await send(port);
      assert.equal(reply.status, 503);
      assert.equal(reply.headers['retry-after'], '1');
      assert.ok(Date.now() - started >= 150);
    } finally {
      await router.close();
    }
  });

  test('past maxHeld a request gets 503 at once; close() answers the held ones', async () => {
    const { router, port } = await startRouter({ maxHeld: 1, holdTimeoutMs: 10_000 });
    const held = send(port);
    await delay(50);
    const started = Date.now();
    const overflow = await send(port);
    assert.equal(overflow.status, 503);
    assert.ok(Date.now() - started < 1000);
    await router.close();
    assert.equal((await held).status, 503);
  });
});

describe('router: lifecycle', () => {
  test('listen rejects with port_in_use when the port is taken', async () => {
    const { router, port } = await startRouter();
    const second = new Router({ port });
    try {
      await assert.rejects(second.listen(), (error: unknown) => isRouterError(error, 'port_in_use'));
    } finally {
      await second.close();
      await router.close();
    }
  });

  test('an invalid table is rejected and the current one kept', async () => {
    const { router } = await startRouter();
    try {
      const table = { sticky: false, revisions: [{ id: 'r', weight: 100, instances: [] }] };
      router.setTable(table);
      assert.throws(
        () => router.setTable({ sticky: false, revisions: [{ id: 'r', weight: 150, instances: [] }] }),
        (error: unknown) => isRouterError(error, 'invalid_table'),
      );
      assert.equal(router.table(), table);
    } finally {
      await router.close();
    }
  });
});
