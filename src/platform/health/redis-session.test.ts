// The Redis session with plain bytes: the commands it pipelines and how it judges each reply.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { encodeCommand, parseReply, RedisSession } from './redis-session.js';

const INFO_TEXT = '# Server\r\nredis_version:7.2.4\r\nredis_mode:standalone\r\n';
const INFO = `$${INFO_TEXT.length}\r\n${INFO_TEXT}\r\n`;

function exchange(session: RedisSession, ...replies: string[]) {
  return replies.map((reply) => session.receive(Buffer.from(reply)));
}

describe('RedisSession', () => {
  test('pipelines AUTH, SELECT, PING and INFO in one write', () => {
    const session = new RedisSession({ username: 'app', password: 'pw', db: '2' });
    assert.deepEqual(session.opening(), [
      Buffer.concat([
        encodeCommand(['AUTH', 'app', 'pw']),
        encodeCommand(['SELECT', '2']),
        encodeCommand(['PING']),
        encodeCommand(['INFO', 'server']),
      ]),
    ]);
  });

  test('sends only PING and INFO without credentials or a db, and one-argument AUTH for the default user', () => {
    assert.equal(
      new RedisSession({}).opening()[0]?.toString(),
      '*1\r\n$4\r\nPING\r\n*2\r\n$4\r\nINFO\r\n$6\r\nserver\r\n',
    );
    assert.match(
      new RedisSession({ username: 'default', password: 'pw' }).opening()[0]?.toString() ?? '',
      /^\*2\r\n\$4\r\nAUTH\r\n\$2\r\npw\r\n/,
    );
  });

  test('is ok once PING answers PONG and INFO gives the version', () => {
    const steps = exchange(new RedisSession({ password: 'pw' }), '+OK\r\n+PONG\r\n', INFO);
    assert.deepEqual(steps, [{}, { outcome: { ok: true, message: 'ok (Redis 7.2.4)' }, done: true }]);
  });

  test('is still ok when INFO is refused', () => {
    const [step] = exchange(
      new RedisSession({}),
      "+PONG\r\n-NOPERM this user has no permissions to run the 'info' command\r\n",
    );
    assert.deepEqual(step, { outcome: { ok: true, message: 'ok' }, done: true });
  });

  test('replies split at any byte are put back together', () => {
    const session = new RedisSession({ db: '1' });
    const bytes = Buffer.from(`+OK\r\n+PONG\r\n${INFO}`);
    const steps = [...bytes].map((byte) => session.receive(Buffer.from([byte])));
    assert.deepEqual(
      steps.filter((s) => s.outcome).map((s) => s.outcome),
      [{ ok: true, message: 'ok (Redis 7.2.4)' }],
    );
  });

  test('an AUTH error is an authentication failure', () => {
    const [step] = exchange(
      new RedisSession({ password: 'pw' }),
      '-WRONGPASS invalid username-password pair\r\n',
    );
    assert.deepEqual(step, {
      outcome: { ok: false, message: 'authentication failed: WRONGPASS invalid username-password pair' },
      done: true,
    });
  });

  test('a SELECT error names the database', () => {
    const [step] = exchange(new RedisSession({ db: '99' }), '-ERR DB index is out of range\r\n');
    assert.deepEqual(step?.outcome, { ok: false, message: 'SELECT 99: ERR DB index is out of range' });
  });

  test('NOAUTH on PING means the server wants a password', () => {
    const [step] = exchange(new RedisSession({}), '-NOAUTH Authentication required.\r\n');
    assert.deepEqual(step?.outcome, {
      ok: false,
      message: 'authentication failed: NOAUTH Authentication required.',
    });
  });

  test('a PING reply other than PONG is not ok', () => {
    const [step] = exchange(new RedisSession({}), '$5\r\nhello\r\n');
    assert.deepEqual(step?.outcome, { ok: false, message: 'unexpected reply to PING: hello' });
  });

  test('bytes that are not RESP throw', () => {
    assert.throws(
      () => new RedisSession({}).receive(Buffer.from('HTTP/1.1 400 Bad Request\r\n')),
      /not a Redis reply/,
    );
  });
});

describe('parseReply', () => {
  test('reads each RESP2 type and waits for incomplete input', () => {
    const bytes = Buffer.from(':42\r\n$-1\r\n*2\r\n+a\r\n$1\r\nb\r\n*-1\r\n');
    const int = parseReply(bytes, 0);
    assert.deepEqual(int, { reply: { type: 'integer', value: 42 }, next: 5 });
    const nil = parseReply(bytes, 5);
    assert.deepEqual(nil?.reply, { type: 'bulk', text: null });
    const array = parseReply(bytes, nil?.next ?? 0);
    assert.deepEqual(array?.reply, {
      type: 'array',
      items: [
        { type: 'simple', text: 'a' },
        { type: 'bulk', text: 'b' },
      ],
    });
    assert.deepEqual(parseReply(bytes, array?.next ?? 0)?.reply, { type: 'array', items: null });
    assert.equal(parseReply(Buffer.from('$5\r\nhel'), 0), undefined);
    assert.equal(parseReply(Buffer.from('*2\r\n+a\r\n'), 0), undefined);
    assert.equal(parseReply(Buffer.from('+PON'), 0), undefined);
  });
});
