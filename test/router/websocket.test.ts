// WebSocket (and any HTTP/1.1 Upgrade) handshakes are routed like requests, then tunnelled.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { type IncomingMessage, request } from 'node:http';
import type { Socket } from 'node:net';
import { describe, test } from 'node:test';
import { delay, guardProcess, startRouter, startUpstream, waitFor } from './helpers/harness.js';

guardProcess();

describe('router: WebSocket upgrade', () => {
  test('tunnels an upgrade to an echoing upstream and counts it in flight until closed', {
    timeout: 20_000,
  }, async () => {
    const upstream = await startUpstream('ws');
    upstream.server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
      const key = String(req.headers['sec-websocket-key']);
      const accept = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
      socket.write(
        'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
          `Sec-WebSocket-Accept: ${accept}\r\nX-Seen-Forwarded-For: ${req.headers['x-forwarded-for']}\r\n\r\n`,
      );
      if (head.length > 0) socket.write(head);
      socket.pipe(socket); // echo every byte (frames included) back
    });
    const { router, port } = await startRouter();
    router.setTable({
      sticky: false,
      revisions: [{ id: 'r-ws', weight: 100, instances: [upstream.instance()] }],
    });
    try {
      const { socket, response } = await new Promise<{ socket: Socket; response: IncomingMessage }>(
        (resolve, reject) => {
          const req = request({
            host: '127.0.0.1',
            port,
            path: '/chat',
            agent: false,
            headers: {
              connection: 'Upgrade',
              upgrade: 'websocket',
              'sec-websocket-version': '13',
              'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
            },
          });
          req.on('upgrade', (res, socket) => resolve({ socket, response: res }));
          req.on('response', () => reject(new Error('expected an upgrade')));
          req.on('error', reject);
          req.end();
        },
      );
      assert.equal(response.statusCode, 101);
      assert.equal(response.headers['sec-websocket-accept'], 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
      assert.equal(response.headers['x-seen-forwarded-for'], '127.0.0.1');
      assert.equal(router.inflight('ws'), 1);
      const received: Buffer[] = [];
      socket.on('data', (chunk: Buffer) => received.push(chunk));
      // A masked text frame "hello", then a second write later: the tunnel is byte-transparent.
      const frame = Buffer.from([0x81, 0x85, 1, 2, 3, 4, 0x69, 0x67, 0x6f, 0x68, 0x6e]);
      socket.write(frame);
      await delay(20);
      socket.write(frame);
      await waitFor(() => Buffer.concat(received).length === 2 * frame.length, 5000, 'echo');
      assert.deepEqual(Buffer.concat(received), Buffer.concat([frame, frame]));
      socket.destroy();
      assert.equal(await router.waitIdle('ws', 5000), true);
      assert.equal(router.inflight('ws'), 0);
      assert.equal(router.metrics().revisions['r-ws']?.requests, 1);
    } finally {
      await router.close();
      await upstream.close();
    }
  });

  test('an upgrade with no ready instance is held until one is ready; a refused one gets 502', async () => {
    const upstream = await startUpstream('ws-late');
    upstream.server.on('upgrade', (_req: IncomingMessage, socket: Socket) => {
      socket.end('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\nbye');
    });
    const { router, port } = await startRouter();
    const upgrade = (): Promise<string> =>
      new Promise((resolve, reject) => {
        const req = request({
          host: '127.0.0.1',
          port,
          agent: false,
          headers: { connection: 'Upgrade', upgrade: 'websocket' },
        });
        req.on('upgrade', (_res, socket: Socket, head: Buffer) => {
          let text = head.toString();
          socket.on('data', (chunk: Buffer) => {
            text += chunk.toString();
          });
          socket.on('close', () => resolve(`101 ${text}`));
        });
        req.on('response', (res) => {
          res.resume();
          resolve(String(res.statusCode));
        });
        req.on('error', reject);
        req.end();
      });
    try {
      router.setTable({
        sticky: false,
        revisions: [{ id: 'r', weight: 100, instances: [upstream.instance(false)] }],
      });
      const held = upgrade();
      await delay(100);
      router.setTable({
        sticky: false,
        revisions: [{ id: 'r', weight: 100, instances: [upstream.instance(true)] }],
      });
      assert.equal(await held, '101 bye');
      await upstream.close();
      assert.equal(await upgrade(), '502');
      assert.equal(await router.waitIdle('ws-late', 2000), true);
    } finally {
      await router.close();
    }
  });

  test('an upgrade for an unknown revision is refused with 404', async () => {
    const { router, port } = await startRouter();
    try {
      const status = await new Promise<number>((resolve, reject) => {
        const req = request({
          host: '127.0.0.1',
          port,
          agent: false,
          headers: { connection: 'Upgrade', upgrade: 'websocket', 'x-slipway-revision': 'r-missing' },
        });
        req.on('response', (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('upgrade', () => reject(new Error('unexpected upgrade')));
        req.on('error', reject);
        req.end();
      });
      assert.equal(status, 404);
    } finally {
      await router.close();
    }
  });
});
