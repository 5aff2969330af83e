// Redis: databases, AUTH against a server without a password, and a peer that is not Redis.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkDependency } from '../../../src/platform/health/check-dependency.js';
import { httpPeer } from './helpers/peers.js';
import { hint, SERVICES } from './helpers/services.js';

const dep = (url: string) => ({ name: 'cache', kind: 'redis' as const, url, timeoutMs: 3000 });

test('a database number in the path is selected', async () => {
  const result = await checkDependency(dep(`${SERVICES.redis}/3`), {});
  assert.equal(result.ok, true, `${result.message} ${hint('redis')}`);
});

test('a database out of range shows the server error', async () => {
  const result = await checkDependency(dep(`${SERVICES.redis}/99`), {});
  assert.deepEqual([result.ok, result.message], [false, 'SELECT 99: ERR DB index is out of range']);
});

test('a database that is not a number shows the server error', async () => {
  const result = await checkDependency(dep(`${SERVICES.redis}/cache`), {});
  assert.equal(result.ok, false);
  assert.match(result.message, /^SELECT cache: ERR /);
});

test('AUTH with a password against a server without one fails as authentication', async () => {
  const result = await checkDependency(dep(SERVICES.redis.replace('://', '://:sesame@')), {});
  assert.equal(result.ok, false);
  assert.match(result.message, /^authentication failed: ERR AUTH/);
  assert.equal(result.target, 'redis://:***@127.0.0.1:6379');
});

test('AUTH with an unknown user fails as authentication', async () => {
  const result = await checkDependency(dep(SERVICES.redis.replace('://', '://nobody:sesame@')), {});
  assert.equal(result.ok, false);
  assert.match(result.message, /^authentication failed: WRONGPASS/);
});

test('a server that is not Redis is not ok, and says so', async () => {
  const web = await httpPeer((_req, res) => res.writeHead(200).end('hello'));
  try {
    const result = await checkDependency(dep(`redis://127.0.0.1:${web.port}`), {});
    assert.equal(result.ok, false);
    assert.match(result.message, /not a Redis reply/);
  } finally {
    await web.close();
  }
});
