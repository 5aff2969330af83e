// checkDependency itself: `${VAR}` expansion from the service environment, missing variables, bad URLs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkDependency } from '../../../src/platform/health/check-dependency.js';
import { hint, SERVICES } from './helpers/services.js';

test('the URL is expanded from env before checking', async () => {
  const result = await checkDependency(
    { name: 'cache', kind: 'redis', url: 'redis://${REDIS_HOST}:${REDIS_PORT}/1', timeoutMs: 3000 },
    { REDIS_HOST: '127.0.0.1', REDIS_PORT: '6379' },
  );
  assert.equal(result.ok, true, `${result.message} ${hint('redis')}`);
  assert.equal(result.target, 'redis://127.0.0.1:6379/1');
});

test('a whole URL from one variable works, and its password is masked', async () => {
  const url = SERVICES.postgres.replace('postgres@', 'postgres:pw@');
  const result = await checkDependency(
    { name: 'db', kind: 'postgres', url: '${DATABASE_URL}', timeoutMs: 5000 },
    { DATABASE_URL: url },
  );
  assert.equal(result.ok, true, `${result.message} ${hint('postgres')}`);
  assert.equal(result.target, 'postgres://postgres:***@127.0.0.1:5432/test');
});

test('a missing variable is not ok and nothing is contacted', async () => {
  const result = await checkDependency(
    { name: 'db', kind: 'postgres', url: '${DATABASE_URL}', timeoutMs: 5000 },
    { OTHER: 'x' },
  );
  assert.deepEqual(result, {
    name: 'db',
    kind: 'postgres',
    ok: false,
    latencyMs: 0,
    message: 'DATABASE_URL is not set',
    target: '${DATABASE_URL}',
  });
});

test('several missing variables are all named, and an empty one counts as missing', async () => {
  const result = await checkDependency(
    { name: 'q', kind: 'rabbitmq', url: 'amqp://${MQ_USER}:${MQ_PASSWORD}@${MQ_HOST}/', timeoutMs: 5000 },
    { MQ_USER: 'guest', MQ_PASSWORD: '' },
  );
  assert.equal(result.ok, false);
  assert.equal(result.message, 'MQ_PASSWORD, MQ_HOST are not set');
  assert.equal(result.target, 'amqp://${MQ_USER}:${MQ_PASSWORD}@${MQ_HOST}/');
});

test('a URL that does not parse is not ok', async () => {
  const result = await checkDependency({ name: 'api', kind: 'http', url: 'not a url', timeoutMs: 1000 }, {});
  assert.deepEqual([result.ok, result.message], [false, 'invalid URL: not a url']);
});
