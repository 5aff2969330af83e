// RabbitMQ: credentials and vhosts against the real broker; each way a handshake can fail against fake brokers.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { checkDependency } from '../../../src/platform/health/check-dependency.js';
import { ConnectionMethod, closeFrame, secureFrame, startFrame } from '../../helpers/amqp-frames.js';
import { type BrokerScript, type FakeBroker, fakeBroker } from './helpers/fake-broker.js';
import { eventually, httpPeer } from './helpers/peers.js';
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

describe('against brokers that misbehave', () => {
  const brokers: FakeBroker[] = [];
  after(() => Promise.all(brokers.map((broker) => broker.close())));
  async function check(
    script: BrokerScript,
    timeoutMs = 2000,
  ): Promise<{ message: string; broker: FakeBroker }> {
    const broker = await fakeBroker(script);
    brokers.push(broker);
    const result = await checkDependency(
      { ...dep(`amqp://guest:guest@127.0.0.1:${broker.port}/orders`), timeoutMs },
      {},
    );
    assert.equal(result.ok, result.message.startsWith('ok'));
    return { message: result.message, broker };
  }

  test('a full handshake is ok with the broker name, then the connection is closed politely and let go', async () => {
    const { message, broker } = await check({});
    assert.equal(message, 'ok (FakeMQ 1.2.3)');
    assert.ok(await eventually(() => broker.openSockets() === 0), 'the check left its connection open');
    const { startOk, tuneOk, open, close } = ConnectionMethod;
    assert.deepEqual(broker.received(), [startOk, tuneOk, open, close]);
  });

  test('a login refused with Connection.Close 403 is an authentication failure', async () => {
    const { message } = await check({ startOk: [closeFrame(403, 'ACCESS_REFUSED - Login was refused')] });
    assert.equal(message, 'authentication failed: 403 ACCESS_REFUSED - Login was refused');
  });

  test('a broker that drops the connection after the login is an authentication failure', async () => {
    const { message } = await check({ startOk: 'drop' });
    assert.equal(message, 'authentication failed: the server closed the connection after login');
  });

  test('a vhost refused with Connection.Close shows the reply', async () => {
    const { message } = await check({ open: [closeFrame(530, 'NOT_ALLOWED - vhost orders not found')] });
    assert.equal(message, '530 NOT_ALLOWED - vhost orders not found');
  });

  test('a connection dropped before or during the handshake says which', async () => {
    assert.equal(
      (await check({ header: 'drop' })).message,
      'connection closed by the server before the AMQP handshake',
    );
    assert.equal(
      (await check({ open: 'drop' })).message,
      'connection closed by the server during the AMQP handshake',
    );
  });

  test('only PLAIN login is supported', async () => {
    const noPlain = await check({ header: [startFrame('FakeMQ', '1.2.3', 'EXTERNAL')] });
    assert.equal(noPlain.message, 'the server offers no PLAIN login (only EXTERNAL)');
    const challenge = await check({ startOk: [secureFrame()] });
    assert.equal(challenge.message, 'the server sent a SASL challenge; only PLAIN login is supported');
  });

  test('a broker speaking another AMQP version says which it offered', async () => {
    const { message, broker } = await check({ header: [Buffer.from('AMQP\x00\x00\x08\x00', 'latin1')] });
    assert.equal(message, 'the server does not speak AMQP 0-9-1 (it offered 0-8-0)');
    assert.ok(await eventually(() => broker.openSockets() === 0), 'the check left its connection open');
  });

  test('a broker that stops answering mid-handshake times out and is let go', async () => {
    const started = Date.now();
    const { message, broker } = await check({ startOk: 'silence' }, 400);
    assert.equal(message, 'timed out after 400 ms');
    assert.ok(Date.now() - started < 800, `took ${Date.now() - started} ms`);
    assert.ok(await eventually(() => broker.openSockets() === 0), 'the check left its connection open');
  });
});

test('a server that is not AMQP at all is not ok, and says what it answered', async () => {
  const web = await httpPeer((_req, res) => res.writeHead(200).end('hello'));
  try {
    const result = await checkDependency(dep(`amqp://127.0.0.1:${web.port}`), {});
    assert.deepEqual(
      [result.ok, result.message],
      [false, 'protocol error: not an AMQP reply: "HTTP/1.1 400 Bad Request"'],
    );
  } finally {
    await web.close();
  }
});
