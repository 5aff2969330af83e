// Bodies stream both ways without buffering, with backpressure, in either framing.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { type IncomingMessage, request, type ServerResponse } from 'node:http';
import { createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { RouteTable } from '../../src/router/route-table.js';
import type { Router } from '../../src/router/router.js';
import {
  guardProcess,
  listen,
  send,
  startRouter,
  startUpstream,
  type TestUpstream,
  waitFor,
} from './helpers/harness.js';

guardProcess();

const MiB = 1024 * 1024;

/** Deterministic pseudo-random block `i` of 64 KiB. */
function block(i: number): Buffer {
  const buffer = Buffer.alloc(64 * 1024);
  let x = (i + 1) * 2654435761;
  for (let k = 0; k < buffer.length; k += 4) {
    x = (x ^ (x << 13)) >>> 0;
    x = (x ^ (x >>> 17)) >>> 0;
    x = (x ^ (x << 5)) >>> 0;
    buffer.writeUInt32LE(x, k);
  }
  return buffer;
}

function sha256(blocks: number): string {
  const hash = createHash('sha256');
  for (let i = 0; i < blocks; i++) hash.update(block(i));
  return hash.digest('hex');
}

/** Hashes whatever it receives; answers `{ bytes, sha256 }`. */
function hashingUpstream(req: IncomingMessage, res: ServerResponse): void {
  const hash = createHash('sha256');
  let bytes = 0;
  req.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    hash.update(chunk);
  });
  req.on('end', () => res.end(JSON.stringify({ bytes, sha256: hash.digest('hex') })));
}

/** Streams `?blocks=N` 64 KiB blocks with chunked encoding, respecting backpressure. */
function downloadUpstream(req: IncomingMessage, res: ServerResponse): void {
  req.resume();
  const blocks = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('blocks') ?? '1');
  let i = 0;
  const pump = (): void => {
    while (i < blocks) {
      if (!res.write(block(i++))) {
        res.once('drain', pump);
        return;
      }
    }
    res.end();
  };
  res.writeHead(200, { 'content-type': 'application/octet-stream' });
  pump();
}

describe('router: streaming', () => {
  let router: Router;
  let port: number;
  let hashing: TestUpstream;
  let download: TestUpstream;
  let mainTable: RouteTable;

  before(async () => {
    hashing = await startUpstream('hashing', hashingUpstream);
    download = await startUpstream('download', downloadUpstream);
    ({ router, port } = await startRouter());
    mainTable = {
      sticky: false,
      revisions: [
        { id: 'r-up', role: 'stable', weight: 100, instances: [hashing.instance()] },
        { id: 'r-down', role: 'canary', weight: 0, instances: [download.instance()] },
      ],
    };
    router.setTable(mainTable);
  });

  after(async () => {
    await router.close();
    await Promise.all([hashing.close(), download.close()]);
  });

  for (const framing of ['content-length', 'chunked'] as const) {
    test(`streams a 32 MiB upload (${framing}) intact`, { timeout: 60_000 }, async () => {
      const blocks = 512;
      const reply = await new Promise<string>((resolve, reject) => {
        const req = request(
          {
            host: '127.0.0.1',
            port,
            method: 'POST',
            path: '/upload',
            agent: false,
            headers:
              framing === 'chunked'
                ? { 'transfer-encoding': 'chunked' }
                : { 'content-length': blocks * 64 * 1024 },
          },
          (res) => {
            let text = '';
            res.setEncoding('utf8');
            res.on('data', (chunk: string) => {
              text += chunk;
            });
            res.on('end', () => resolve(text));
          },
        );
        req.on('error', reject);
        let i = 0;
        const pump = (): void => {
          while (i < blocks) {
            if (!req.write(block(i++))) {
              req.once('drain', pump);
              return;
            }
          }
          req.end();
        };
        pump();
      });
      assert.deepEqual(JSON.parse(reply), { bytes: blocks * 64 * 1024, sha256: sha256(blocks) });
    });
  }

  test('passes bytes on as they come, without waiting for the end of either body', {
    timeout: 20_000,
  }, async () => {
    let upstreamBytes = 0;
    let finishResponse: (() => void) | undefined;
    const live = await startUpstream('live', (req, res) => {
      req.on('data', (chunk: Buffer) => {
        upstreamBytes += chunk.length;
      });
      req.on('end', () => {
        res.writeHead(200);
        res.write('first;');
        finishResponse = () => res.end('second');
      });
    });
    router.setTable({
      sticky: false,
      revisions: [{ id: 'r-live', weight: 100, instances: [live.instance()] }],
    });
    try {
      const req = request({
        host: '127.0.0.1',
        port,
        method: 'POST',
        agent: false,
        headers: { 'transfer-encoding': 'chunked' },
      });
      const response = new Promise<IncomingMessage>((resolve, reject) => {
        req.on('response', resolve);
        req.on('error', reject);
      });
      req.write(block(0));
      await waitFor(() => upstreamBytes === 64 * 1024, 5000, 'the first upload block upstream');
      req.end(block(1));
      const res = await response;
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
      });
      await waitFor(() => text === 'first;', 5000, 'the first response bytes at the client');
      finishResponse?.();
      await new Promise((resolve) => res.on('end', resolve));
      assert.equal(text, 'first;second');
      assert.equal(upstreamBytes, 128 * 1024);
    } finally {
      router.setTable(mainTable);
      await live.close();
    }
  });

  test('relays a body that ends when the upstream closes the connection', async () => {
    const legacy = createServer((socket) => {
      socket.on('error', () => {});
      socket.once('data', () => {
        socket.write('HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\npart one, ');
        setTimeout(() => socket.end('part two'), 20);
      });
    });
    const legacyPort = await listen(legacy);
    router.setTable({
      sticky: false,
      revisions: [
        {
          id: 'r-legacy',
          weight: 100,
          instances: [{ id: 'legacy', host: '127.0.0.1', port: legacyPort, ready: true }],
        },
      ],
    });
    try {
      for (let i = 0; i < 3; i++) {
        const reply = await send(port);
        assert.equal(reply.status, 200);
        assert.equal(reply.text, 'part one, part two');
      }
      assert.equal(await router.waitIdle('legacy', 1000), true);
    } finally {
      router.setTable(mainTable);
      await new Promise((resolve) => legacy.close(resolve));
    }
  });

  test('streams a 32 MiB chunked download to a slow reader intact', { timeout: 60_000 }, async () => {
    const blocks = 512;
    const { digest, bytes } = await new Promise<{ digest: string; bytes: number }>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          path: `/download?blocks=${blocks}`,
          agent: false,
          headers: { 'x-slipway-revision': 'canary' },
        },
        (res) => {
          assert.equal(res.statusCode, 200);
          assert.equal(res.headers['transfer-encoding'], 'chunked');
          const hash = createHash('sha256');
          let bytes = 0;
          let paused = 0;
          res.on('data', (chunk: Buffer) => {
            hash.update(chunk);
            bytes += chunk.length;
            // Read slowly at first so that backpressure reaches the upstream.
            if (bytes < 4 * MiB && paused++ % 8 === 0) {
              res.pause();
              setTimeout(() => res.resume(), 5);
            }
          });
          res.on('end', () => resolve({ digest: hash.digest('hex'), bytes }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end();
    });
    assert.equal(bytes, blocks * 64 * 1024);
    assert.equal(digest, sha256(blocks));
  });
});
