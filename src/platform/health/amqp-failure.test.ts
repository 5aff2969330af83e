// How a failed handshake is worded: the broker's replies first, amqplib's error where they were not seen.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeAmqpFailure } from './amqp-failure.js';
import type { BrokerReplies } from './amqp-transcript.js';

const unseen: BrokerReplies = { observed: false, tuned: false };
const started: BrokerReplies = { observed: true, tuned: false, mechanisms: ['AMQPLAIN', 'PLAIN'] };
const tuned: BrokerReplies = { ...started, tuned: true };
const closed = new Error('Socket closed abruptly during opening handshake');

test("the broker's Connection.Close is its reply; 403 is an authentication failure", () => {
  const refused = { ...tuned, close: { code: 530, text: 'NOT_ALLOWED - vhost orders not found' } };
  const openError = new Error('Expected ConnectionOpenOk; got <ConnectionClose channel:0>');
  assert.equal(describeAmqpFailure(openError, refused, 'orders'), '530 NOT_ALLOWED - vhost orders not found');
  const denied = { ...started, close: { code: 403, text: 'ACCESS_REFUSED - Login was refused' } };
  assert.equal(
    describeAmqpFailure(new Error('x'), denied, '/'),
    'authentication failed: 403 ACCESS_REFUSED - Login was refused',
  );
});

test("without the replies (TLS), the login's Close is read from amqplib's message", () => {
  const error = new Error(
    'Handshake terminated by server: 403 (ACCESS-REFUSED) with message "ACCESS_REFUSED - Login was refused using authentication mechanism PLAIN."',
  );
  assert.equal(
    describeAmqpFailure(error, unseen, '/'),
    'authentication failed: 403 ACCESS_REFUSED - Login was refused using authentication mechanism PLAIN.',
  );
  const open = new Error('Expected ConnectionOpenOk; got <ConnectionClose channel:0>');
  assert.equal(describeAmqpFailure(open, unseen, 'orders'), 'the server refused to open vhost orders');
});

test('a dropped connection means what the handshake had reached', () => {
  assert.equal(
    describeAmqpFailure(closed, { observed: true, tuned: false }, '/'),
    'connection closed by the server before the AMQP handshake',
  );
  assert.equal(
    describeAmqpFailure(closed, started, '/'),
    'authentication failed: the server closed the connection after login',
  );
  assert.equal(
    describeAmqpFailure(closed, tuned, '/'),
    'connection closed by the server during the AMQP handshake',
  );
  assert.equal(
    describeAmqpFailure(closed, unseen, '/'),
    'connection closed by the server during the AMQP handshake',
  );
});

test('a peer that is not an AMQP 0-9-1 broker says so, whatever amqplib made of its bytes', () => {
  const frameError = new Error('Frame size 1345270062 exceeds maxFrameSize 67108864');
  assert.equal(
    describeAmqpFailure(frameError, { ...unseen, observed: true, offeredVersion: '0-8-0' }, '/'),
    'the server does not speak AMQP 0-9-1 (it offered 0-8-0)',
  );
  assert.equal(
    describeAmqpFailure(
      frameError,
      { ...unseen, observed: true, notAmqp: '"HTTP/1.1 400 Bad Request"' },
      '/',
    ),
    'protocol error: not an AMQP reply: "HTTP/1.1 400 Bad Request"',
  );
  assert.equal(describeAmqpFailure(frameError, unseen, '/'), `protocol error: ${frameError.message}`);
});

test('login mechanisms other than PLAIN are not supported', () => {
  const noPlain = new Error('SASL mechanism PLAIN is not provided by the server');
  assert.equal(
    describeAmqpFailure(noPlain, { observed: true, tuned: false, mechanisms: ['EXTERNAL'] }, '/'),
    'the server offers no PLAIN login (only EXTERNAL)',
  );
  assert.equal(describeAmqpFailure(noPlain, unseen, '/'), 'the server offers no PLAIN login');
  const secure = new Error("Wasn't expecting to have to go through secure");
  assert.equal(
    describeAmqpFailure(secure, started, '/'),
    'the server sent a SASL challenge; only PLAIN login is supported',
  );
});

test('network errors read as they do for every check', () => {
  const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
  assert.equal(describeAmqpFailure(refused, { observed: true, tuned: false }, '/'), 'connection refused');
  const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
  assert.equal(describeAmqpFailure(reset, started, '/'), 'connection reset by peer');
});
