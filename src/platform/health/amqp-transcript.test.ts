// The transcript reads a broker's handshake frames from raw bytes, however they are split.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { closeFrame, openOkFrame, startFrame, tuneFrame } from '../../../test/helpers/amqp-frames.js';
import { AmqpTranscript, type BrokerReplies } from './amqp-transcript.js';

const heartbeat = Buffer.from([8, 0, 0, 0, 0, 0, 0, 0xce]);

function transcriptOf(...chunks: Buffer[]): BrokerReplies {
  const transcript = new AmqpTranscript();
  transcript.observe();
  for (const chunk of chunks) transcript.record(chunk);
  return transcript.replies;
}

test('nothing is known until the bytes are watched', () => {
  assert.deepEqual(new AmqpTranscript().replies, { observed: false, tuned: false });
});

test('Start gives the login mechanisms, Tune that the login was accepted', () => {
  assert.deepEqual(transcriptOf(startFrame('RabbitMQ', '3.12.1', 'AMQPLAIN PLAIN')), {
    observed: true,
    tuned: false,
    mechanisms: ['AMQPLAIN', 'PLAIN'],
  });
  assert.equal(transcriptOf(startFrame('RabbitMQ', '3.12.1'), tuneFrame()).tuned, true);
});

test("a Connection.Close keeps the broker's reply code and text", () => {
  const replies = transcriptOf(
    startFrame('RabbitMQ', '3.12.1'),
    tuneFrame(),
    closeFrame(530, 'NOT_ALLOWED - vhost x not found'),
  );
  assert.deepEqual(replies.close, { code: 530, text: 'NOT_ALLOWED - vhost x not found' });
});

test('frames split anywhere, with heartbeats between them, read the same', () => {
  const bytes = Buffer.concat([
    startFrame('RabbitMQ', '3.12.1', 'PLAIN'),
    heartbeat,
    tuneFrame(),
    openOkFrame(),
    closeFrame(320, 'CONNECTION_FORCED - bye'),
  ]);
  assert.deepEqual(transcriptOf(...[...bytes].map((byte) => Buffer.from([byte]))), {
    observed: true,
    tuned: true,
    mechanisms: ['PLAIN'],
    close: { code: 320, text: 'CONNECTION_FORCED - bye' },
  });
});

test('a broker answering with another protocol header names the version it offered', () => {
  assert.equal(
    transcriptOf(Buffer.from('AMQP\x00\x00\x08')).offeredVersion,
    undefined,
    'not before all 8 bytes',
  );
  assert.equal(transcriptOf(Buffer.from('AMQP\x00\x00'), Buffer.from('\x08\x00')).offeredVersion, '0-8-0');
});

test('bytes that are not AMQP frames are quoted', () => {
  assert.equal(
    transcriptOf(Buffer.from('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n')).notAmqp,
    JSON.stringify('HTTP/1.1 400 Bad Request'),
  );
  const badEnd = startFrame('RabbitMQ', '3.12.1');
  badEnd[badEnd.length - 1] = 0;
  assert.match(transcriptOf(badEnd).notAmqp ?? '', /^"\\u0001/);
  assert.equal(transcriptOf(badEnd).mechanisms, undefined);
});
