// The OFREP listener over real HTTP on 127.0.0.1: keep-alive, the engine of the moment, bodies too
// large, paths it does not serve, and clients that go away half way.
import assert from 'node:assert/strict';
import { Agent, request } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { FlagDocument } from '../../src/flags/flag-document.js';
import { FlagEngine } from '../../src/flags/flag-engine.js';
import { createOfrepServer } from '../../src/flags/ofrep-listener.js';

const documentServing = (variant: 'on' | 'off'): FlagDocument => ({
  flags: { banner: { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: variant } },
});

let engine = new FlagEngine({ version: 1, document: documentServing('on') });
const server = createOfrepServer(() => engine);
let port = 0;

before(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
after(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** One request: status, headers and body text, and the local port of the connection it used. */
function call(
  method: string,
  path: string,
  body = '',
  options: { agent?: Agent; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: Record<string, unknown>; body: string; socketPort: number }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, method, path, agent: options.agent, headers: options.headers },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: text,
            socketPort: req.socket?.localPort ?? 0,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('OFREP listener', () => {
  test('answers OFREP on keep-alive connections: many requests, one connection', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const answers = [];
      for (let i = 0; i < 5; i++)
        answers.push(await call('POST', '/ofrep/v1/evaluate/flags/banner', '{"context":{}}', { agent }));
      assert.deepEqual(new Set(answers.map((a) => a.status)), new Set([200]));
      assert.equal(new Set(answers.map((a) => a.socketPort)).size, 1);
      assert.equal(answers[0]?.headers.connection, 'keep-alive');
      // In one piece: a length, not chunks.
      assert.equal(answers[0]?.headers['content-length'], String(Buffer.byteLength(answers[0]!.body)));
      assert.equal(answers[0]?.headers['transfer-encoding'], undefined);
      assert.deepEqual(JSON.parse(answers[0]!.body), {
        key: 'banner',
        value: true,
        reason: 'STATIC',
        variant: 'on',
        metadata: {},
      });
    } finally {
      agent.destroy();
    }
  });

  test('each request is answered by the engine current at the time', async () => {
    const before = await call('POST', '/ofrep/v1/evaluate/flags/banner', '');
    engine = new FlagEngine({ version: 2, document: documentServing('off') });
    const afterSwap = await call('POST', '/ofrep/v1/evaluate/flags/banner', '');
    engine = new FlagEngine({ version: 3, document: documentServing('on') });
    assert.equal(JSON.parse(before.body).value, true);
    assert.equal(JSON.parse(afterSwap.body).value, false);
  });

  test('the query string is not part of the path; If-None-Match reaches the bulk evaluation', async () => {
    const first = await call('POST', '/ofrep/v1/evaluate/flags?flagConfigEtag=abc', '{"context":{}}');
    assert.equal(first.status, 200);
    const etag = String(first.headers.etag);
    const second = await call('POST', '/ofrep/v1/evaluate/flags?flagConfigEtag=abc', '{"context":{}}', {
      headers: { 'if-none-match': etag },
    });
    assert.equal(second.status, 304);
    assert.equal(second.body, '');
  });

  test('CORS: a preflight is a 204 without a body; answers and 304s carry the origin and ETag grants', async () => {
    for (const path of ['/ofrep/v1/evaluate/flags', '/ofrep/v1/evaluate/flags/banner']) {
      const preflight = await call('OPTIONS', path, '', {
        headers: {
          origin: 'http://127.0.0.1:1',
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type,if-none-match',
        },
      });
      assert.equal(preflight.status, 204, path);
      assert.equal(preflight.body, '');
      assert.equal(preflight.headers['content-length'], undefined);
      assert.equal(preflight.headers['access-control-allow-origin'], '*');
      assert.equal(preflight.headers['access-control-allow-methods'], 'POST');
      assert.equal(
        preflight.headers['access-control-allow-headers'],
        'content-type, if-none-match, authorization',
      );
      assert.equal(preflight.headers['access-control-expose-headers'], 'ETag');
      assert.equal(preflight.headers['access-control-max-age'], '7200');
    }
    const single = await call('POST', '/ofrep/v1/evaluate/flags/banner', '{}');
    assert.equal(single.headers['access-control-allow-origin'], '*');
    const bulk = await call('POST', '/ofrep/v1/evaluate/flags', '{}');
    assert.equal(bulk.headers['access-control-expose-headers'], 'ETag');
    const same = await call('POST', '/ofrep/v1/evaluate/flags', '{}', {
      headers: { 'if-none-match': String(bulk.headers.etag) },
    });
    assert.equal(same.status, 304);
    assert.equal(same.headers['access-control-allow-origin'], '*');
    assert.equal(same.headers['access-control-expose-headers'], 'ETag');
    const big = await call('POST', '/ofrep/v1/evaluate/flags', JSON.stringify({ pad: 'x'.repeat(70_000) }));
    assert.equal(big.status, 413);
    assert.equal(big.headers['access-control-allow-origin'], '*');
    // Not OFREP, not granted.
    const other = await call('OPTIONS', '/healthz');
    assert.equal(other.status, 404);
    assert.equal(other.headers['access-control-allow-origin'], undefined);
  });

  test('a path outside OFREP is a JSON 404 saying what is served', async () => {
    const answer = await call('GET', '/healthz');
    assert.equal(answer.status, 404);
    assert.equal(answer.headers['content-type'], 'application/json');
    assert.match(JSON.parse(answer.body).errorDetails, /POST \/ofrep\/v1\/evaluate\/flags/);
  });

  test('a body over 64 KiB is a 413, and the listener keeps serving', async () => {
    for (const size of [70 * 1024, 4 * 1024 * 1024]) {
      const big = JSON.stringify({ context: { padding: 'x'.repeat(size) } });
      const answer = await call('POST', '/ofrep/v1/evaluate/flags/banner', big).catch((error: Error) => ({
        status: -1,
        body: error.message,
        headers: {},
        socketPort: 0,
      }));
      assert.equal(answer.status, 413, `${size}: ${answer.body}`);
      assert.deepEqual(JSON.parse(answer.body), { errorDetails: 'request body too large' });
    }
    const just = JSON.stringify({ context: { padding: 'x'.repeat(60 * 1024) } });
    assert.equal((await call('POST', '/ofrep/v1/evaluate/flags/banner', just)).status, 200);
  });

  test('a client that disconnects in the middle of its body does not take the listener down', async () => {
    await new Promise<void>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.write(
          'POST /ofrep/v1/evaluate/flags/banner HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{"context":',
        );
        setTimeout(() => {
          socket.destroy();
          resolve();
        }, 50);
      });
      socket.on('error', reject);
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal((await call('POST', '/ofrep/v1/evaluate/flags/banner', '{}')).status, 200);
  });
});
