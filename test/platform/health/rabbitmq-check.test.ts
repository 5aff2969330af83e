// RabbitMQ: credentials and vhosts through the AMQP handshake against the real broker.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkDependency } from '../../../src/platform/health/check-dependency.js';
import { hint, SERVICES } from './helpers/services.js';

const dep = (url: string) => ({ name: 'queue', kind: 'rabbitmq' as const, url, timeoutMs: 5000 });

test('a wrong password is not ok, as an authentication failure', async () => {
  const url = SERVICES.rabbitmq.replace('guest:guest@', 'guest:wrong@');
  const result = await checkDependency(dep(url), {});
  assert.equal(result.ok, false);
  assert.match(result.message, /^authentication failed: 403 ACCESS_REFUSED/);
  assert.equal(result.target, 'amqp://guest:***@127.0.0.1:5672/');
});

test('an unknown user is not ok, as an authentication failure', async () => {
  const url = SERVICES.rabbitmq.replace('guest:guest@', 'slipway-nobody:x@');
  const result = await checkDependency(dep(url), {});
  assert.equal(result.ok, false);
  assert.match(result.message, /^authentication failed: 403 ACCESS_REFUSED/);
});

test('an unknown vhost is not ok, with the broker reply', async () => {
  const url = `${SERVICES.rabbitmq}slipway-no-such-vhost`;
  const result = await checkDependency(dep(url), {});
  assert.equal(result.ok, false);
  assert.match(result.message, /^530 NOT_ALLOWED .*slipway-no-such-vhost/);
});

test('without credentials it logs in as guest/guest to the default vhost', async () => {
  const result = await checkDependency(dep('amqp://127.0.0.1:5672'), {});
  assert.equal(result.ok, true, `${result.message} ${hint('rabbitmq')}`);
});

test('an escaped slash names the default vhost', async () => {
  const result = await checkDependency(dep(`${SERVICES.rabbitmq}%2F`), {});
  assert.equal(result.ok, true, `${result.message} ${hint('rabbitmq')}`);
});
