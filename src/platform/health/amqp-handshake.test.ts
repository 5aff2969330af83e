// The AMQP handshake driven by a scripted broker: what the client sends at each step and how it judges replies.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ArgReader, ArgWriter, methodFrame, readFrame } from './amqp-codec.js';
import { AmqpHandshake, Connection, closeArgs, PROTOCOL_HEADER } from './amqp-handshake.js';
import type { SessionStep } from './socket-session.js';

const login = { username: 'app', password: 's3cret', vhost: 'orders' };

function start(mechanisms = 'AMQPLAIN PLAIN'): Buffer {
  const args = new ArgWriter()
    .octet(0)
    .octet(9)
    .table({
      product: 'RabbitMQ',
      version: '3.12.1',
      capabilities: { publisher_confirms: true, authentication_failure_close: true },
      cluster_name: 'rabbit@test',
    })
    .longstr(mechanisms)
    .longstr('en_US')
    .build();
  return methodFrame(Connection.classId, Connection.start, args);
}

function tune(channelMax: number, frameMax: number, heartbeat: number): Buffer {
  const args = new ArgWriter().uint16(channelMax).uint32(frameMax).uint16(heartbeat).build();
  return methodFrame(Connection.classId, Connection.tune, args);
}

const openOk = methodFrame(Connection.classId, Connection.openOk, new ArgWriter().shortstr('').build());
const closeOk = methodFrame(Connection.classId, Connection.closeOk);
const heartbeat = Buffer.from([8, 0, 0, 0, 0, 0, 0, 0xce]);

/** The methods in the frames a step sends, with their argument readers. */
function sent(step: SessionStep): { classId: number; methodId: number; args: ArgReader }[] {
  return (step.send ?? []).map((buffer) => {
    const read = readFrame(buffer);
    assert.ok(read, 'a complete frame');
    assert.equal(read.size, buffer.length);
    const args = new ArgReader(read.frame.payload);
    return { classId: args.uint16(), methodId: args.uint16(), args };
  });
}

describe('AmqpHandshake', () => {
  test('opens with the 0-9-1 protocol header', () => {
    assert.deepEqual(new AmqpHandshake(login).opening(), [Buffer.from('AMQP\x00\x00\x09\x01', 'latin1')]);
    assert.deepEqual(PROTOCOL_HEADER, Buffer.from([65, 77, 81, 80, 0, 0, 9, 1]));
  });

  test('answers Start with Start-Ok carrying PLAIN credentials and the close-on-auth-failure capability', () => {
    const step = new AmqpHandshake(login).receive(start());
    const [startOk, ...rest] = sent(step);
    assert.equal(rest.length, 0);
    assert.ok(startOk);
    assert.deepEqual([startOk.classId, startOk.methodId], [10, 11]);
    const properties = startOk.args.table();
    assert.equal(properties.product, 'slipway');
    assert.deepEqual(properties.capabilities, { authentication_failure_close: true });
    assert.equal(startOk.args.shortstr(), 'PLAIN');
    assert.equal(startOk.args.longstr().toString(), '\0app\0s3cret');
    assert.equal(startOk.args.shortstr(), 'en_US');
    assert.equal(startOk.args.atEnd(), true);
    assert.equal(step.outcome, undefined);
  });

  test('answers Tune with Tune-Ok (heartbeats off) and Open for the vhost', () => {
    const handshake = new AmqpHandshake(login);
    handshake.receive(start());
    const [tuneOk, open] = sent(handshake.receive(tune(2047, 131_072, 60)));
    assert.ok(tuneOk && open);
    assert.deepEqual([tuneOk.classId, tuneOk.methodId], [10, 31]);
    assert.deepEqual([tuneOk.args.uint16(), tuneOk.args.uint32(), tuneOk.args.uint16()], [2047, 131_072, 0]);
    assert.deepEqual([open.classId, open.methodId], [10, 40]);
    assert.deepEqual([open.args.shortstr(), open.args.shortstr(), open.args.octet()], ['orders', '', 0]);
  });

  test('an unlimited frame size from the broker is answered with a concrete one', () => {
    const handshake = new AmqpHandshake(login);
    handshake.receive(start());
    const [tuneOk] = sent(handshake.receive(tune(0, 0, 0)));
    tuneOk?.args.uint16();
    assert.ok((tuneOk?.args.uint32() ?? 0) >= 4096);
  });

  test('Open-Ok is ok with the server version, then closes politely and finishes on Close-Ok', () => {
    const handshake = new AmqpHandshake(login);
    handshake.receive(start());
    handshake.receive(tune(2047, 131_072, 60));
    const opened = handshake.receive(openOk);
    assert.deepEqual(opened.outcome, { ok: true, message: 'ok (RabbitMQ 3.12.1)' });
    assert.equal(opened.done, undefined);
    const [close] = sent(opened);
    assert.deepEqual([close?.classId, close?.methodId, close?.args.uint16()], [10, 50, 200]);
    assert.deepEqual(handshake.receive(closeOk), { send: [], done: true });
  });

  test('a Connection.Close with 403 is an authentication failure, acknowledged with Close-Ok', () => {
    const handshake = new AmqpHandshake(login);
    handshake.receive(start());
    const refused = methodFrame(
      Connection.classId,
      Connection.close,
      closeArgs(403, 'ACCESS_REFUSED - Login was refused using authentication mechanism PLAIN.'),
    );
    const step = handshake.receive(refused);
    assert.deepEqual(step.outcome, {
      ok: false,
      message:
        'authentication failed: 403 ACCESS_REFUSED - Login was refused using authentication mechanism PLAIN.',
    });
    assert.equal(step.done, true);
    assert.deepEqual(
      sent(step).map((m) => [m.classId, m.methodId]),
      [[10, 51]],
    );
  });

  test('other Connection.Close replies report code and text', () => {
    const handshake = new AmqpHandshake(login);
    handshake.receive(start());
    handshake.receive(tune(0, 0, 0));
    const step = handshake.receive(
      methodFrame(
        Connection.classId,
        Connection.close,
        closeArgs(530, 'NOT_ALLOWED - vhost orders not found'),
      ),
    );
    assert.deepEqual(step.outcome, { ok: false, message: '530 NOT_ALLOWED - vhost orders not found' });
  });

  test('the whole exchange works when the broker bytes arrive one at a time, with heartbeats mixed in', () => {
    const handshake = new AmqpHandshake(login);
    const broker = Buffer.concat([start(), heartbeat, tune(10, 8192, 5), openOk, closeOk]);
    const steps = [...broker].map((byte) => handshake.receive(Buffer.from([byte])));
    const methods = steps.flatMap((step) => sent(step).map((m) => m.methodId));
    assert.deepEqual(methods, [11, 31, 40, 50]);
    assert.deepEqual(
      steps.filter((s) => s.outcome).map((s) => s.outcome),
      [{ ok: true, message: 'ok (RabbitMQ 3.12.1)' }],
    );
    assert.equal(steps.at(-1)?.done, true);
  });

  test('a broker without PLAIN is not ok', () => {
    const step = new AmqpHandshake(login).receive(start('EXTERNAL'));
    assert.deepEqual(step.outcome, {
      ok: false,
      message: 'the server offers no PLAIN login (only EXTERNAL)',
    });
    assert.equal(step.done, true);
  });

  test('a broker that answers with another protocol version is not ok', () => {
    const step = new AmqpHandshake(login).receive(Buffer.from([65, 77, 81, 80, 0, 0, 8, 0]));
    assert.deepEqual(step.outcome, {
      ok: false,
      message: 'the server does not speak AMQP 0-9-1 (it offered 0-8-0)',
    });
  });

  test('a connection dropped after Start-Ok reads as an authentication failure', () => {
    const handshake = new AmqpHandshake(login);
    assert.match(handshake.closed().message, /before the AMQP handshake/);
    handshake.receive(start());
    assert.deepEqual(handshake.closed(), {
      ok: false,
      message: 'authentication failed: the server closed the connection after login',
    });
  });

  test('a frame with a bad end byte throws (the session runner reports a protocol error)', () => {
    const frame = start();
    frame[frame.length - 1] = 0;
    assert.throws(() => new AmqpHandshake(login).receive(frame), /bad frame end/);
  });
});

describe('ArgReader tables', () => {
  test('decodes the field types brokers send', () => {
    const entries = Buffer.concat([
      field('b', Buffer.from([0xff])),
      field('s', Buffer.from([0xff, 0xfe])),
      field('l', Buffer.from([0, 0, 0, 0, 0, 0, 1, 0])),
      field(
        'd',
        (() => {
          const b = Buffer.alloc(8);
          b.writeDoubleBE(1.5);
          return b;
        })(),
      ),
      field('D', Buffer.from([2, 0, 0, 0x01, 0x2c])),
      field('A', new ArgWriter().longstr(Buffer.from([0x74, 1, 0x56])).build()),
      field('V', Buffer.alloc(0)),
      field('x', new ArgWriter().longstr('raw').build()),
    ]);
    const table = new ArgReader(new ArgWriter().longstr(entries).build()).table();
    assert.deepEqual(table, {
      kb: -1,
      ks: -2,
      kl: 256n,
      kd: 1.5,
      kD: 3,
      kA: [true, null],
      kV: null,
      kx: Buffer.from('raw'),
    });
  });

  test('reading past the end throws', () => {
    assert.throws(() => new ArgReader(Buffer.from([0, 5, 0x61])).longstr(), /truncated/);
  });
});

function field(type: string, value: Buffer): Buffer {
  return Buffer.concat([new ArgWriter().shortstr(`k${type}`).octet(type.charCodeAt(0)).build(), value]);
}
