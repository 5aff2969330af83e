import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { type AppOptions, createApp, MAX_NAME_LENGTH, resolveVersion, routes } from './app.js';

/** Serves createApp(options) on an ephemeral loopback port for the duration of a suite. */
function serve(options: AppOptions): { url: (path: string) => string; server: Server } {
  const server = createServer(createApp(options));
  before(() => new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve)));
  after(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { server, url: (path) => `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}` };
}

describe('hello app', () => {
  const { url } = serve({ version: '9.8.7' });

  test('GET / answers a text greeting with the version', async () => {
    const res = await fetch(url('/'));
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
    assert.equal(await res.text(), 'Hello from hello 9.8.7!\n');
  });

  test('GET /healthz answers ok and the version', async () => {
    const res = await fetch(url('/healthz'));
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    assert.deepEqual(await res.json(), { status: 'ok', version: '9.8.7' });
  });

  test('GET /api/greet greets the name', async () => {
    const res = await fetch(url('/api/greet?name=Ada'));
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { message: 'Hello, Ada!' });
    const encoded = await fetch(url(`/api/greet?name=${encodeURIComponent(' Grace Hopper ')}`));
    assert.deepEqual(await encoded.json(), { message: 'Hello, Grace Hopper!' });
  });

  test('GET /api/greet accepts a name of exactly the maximum length, counted in characters', async () => {
    const name = '\u{1F600}'.repeat(MAX_NAME_LENGTH);
    const res = await fetch(url(`/api/greet?name=${encodeURIComponent(name)}`));
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { message: `Hello, ${name}!` });
  });

  for (const [label, query] of [
    ['missing', ''],
    ['empty', '?name='],
    ['blank', '?name=%20%20'],
    ['too long', `?name=${'a'.repeat(MAX_NAME_LENGTH + 1)}`],
  ] as const) {
    test(`GET /api/greet with a ${label} name answers 400 JSON`, async () => {
      const res = await fetch(url(`/api/greet${query}`));
      assert.equal(res.status, 400);
      const body = (await res.json()) as { error: unknown };
      assert.equal(typeof body.error, 'string');
    });
  }

  test('GET /api/slow answers after the delay and rejects delays out of range', async () => {
    const started = Date.now();
    const res = await fetch(url('/api/slow?ms=50'));
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { sleptMs: 50 });
    assert.ok(Date.now() - started >= 45, 'answered before the delay');
    for (const ms of ['2001', '-1', 'abc', '1.5', '']) {
      const bad = await fetch(url(`/api/slow?ms=${ms}`));
      assert.equal(bad.status, 400, `ms=${ms}`);
      await bad.body?.cancel();
    }
  });

  for (const path of ['/nope', '/healthz/', '/HEALTHZ', '/__proto__', '/constructor', '/api']) {
    test(`GET ${path} answers 404 JSON`, async () => {
      const res = await fetch(url(path));
      assert.equal(res.status, 404);
      assert.deepEqual(await res.json(), { error: 'not found', path });
    });
  }

  test('other methods on a known path answer 405 with Allow', async () => {
    const res = await fetch(url('/healthz'), { method: 'POST', body: '{}' });
    assert.equal(res.status, 405);
    assert.equal(res.headers.get('allow'), 'GET, HEAD');
    await res.body?.cancel();
  });

  test('every route in the routes table is served', async () => {
    assert.ok(routes.length >= 4);
    for (const route of routes) {
      const query = route.path === '/api/greet' ? '?name=x' : route.path === '/api/slow' ? '?ms=0' : '';
      const res = await fetch(url(`${route.path}${query}`), { method: route.method });
      assert.equal(res.status, 200, `${route.method} ${route.path}`);
      await res.body?.cancel();
    }
  });

  test('responses keep the connection open while the server is running', async () => {
    const res = await fetch(url('/healthz'));
    assert.notEqual(res.headers.get('connection'), 'close');
    await res.body?.cancel();
  });
});

describe('hello app while shutting down', () => {
  const { url } = serve({ version: '1.0.0', isClosing: () => true });

  test('responses ask the client to close the connection', async () => {
    const res = await fetch(url('/healthz'));
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('connection'), 'close');
    await res.body?.cancel();
  });
});

describe('resolveVersion', () => {
  const pkg = () => JSON.stringify({ name: 'hello', version: '1.2.3' });

  test('APP_VERSION wins over package.json', () => {
    assert.equal(resolveVersion({ APP_VERSION: ' 2.0.0-rc.1 ' }, pkg), '2.0.0-rc.1');
  });

  test('falls back to the package.json version', () => {
    assert.equal(resolveVersion({}, pkg), '1.2.3');
    assert.equal(resolveVersion({ APP_VERSION: '' }, pkg), '1.2.3');
  });

  test('falls back to 0.0.0-unknown when package.json is missing or has no version', () => {
    const missing = () => {
      throw new Error('ENOENT');
    };
    assert.equal(resolveVersion({}, missing), '0.0.0-unknown');
    assert.equal(
      resolveVersion({}, () => '{not json'),
      '0.0.0-unknown',
    );
    assert.equal(
      resolveVersion({}, () => '{"version":7}'),
      '0.0.0-unknown',
    );
  });
});

describe('hello app, broken build', () => {
  const { url } = serve({ version: '6.6.6', broken: true });

  test('every route but /healthz answers 500, so that a rollout can catch it', async () => {
    assert.equal((await fetch(url('/'))).status, 500);
    assert.equal((await fetch(url('/api/greet?name=Ada'))).status, 500);
    const health = await fetch(url('/healthz'));
    assert.equal(health.status, 200);
  });
});
