import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { portOfSocketName, readListenFds, socketName, withoutListenEnv } from './listen-fds.js';

const PID = 4242;

describe('readListenFds', () => {
  test('names each descriptor from 3 on, and finds each port by the name it carries', () => {
    const result = readListenFds(
      { LISTEN_PID: String(PID), LISTEN_FDS: '3', LISTEN_FDNAMES: 'prod-8080:staging-8081:control' },
      PID,
    );
    assert.equal(result.status, 'passed');
    if (result.status !== 'passed') return;
    assert.deepEqual(result.sockets, [
      { fd: 3, name: 'prod-8080', port: 8080 },
      { fd: 4, name: 'staging-8081', port: 8081 },
      { fd: 5, name: 'control' },
    ]);
    assert.deepEqual(
      [...result.byName],
      [
        ['prod-8080', 3],
        ['staging-8081', 4],
        ['control', 5],
      ],
    );
    assert.deepEqual(
      [...result.byPort],
      [
        [8080, 3],
        [8081, 4],
      ],
    );
  });

  test('a name shared by several descriptors (one socket unit, several ListenStream=) maps to the first', () => {
    const result = readListenFds(
      { LISTEN_PID: String(PID), LISTEN_FDS: '2', LISTEN_FDNAMES: 'web-80:web-80' },
      PID,
    );
    assert.equal(result.status, 'passed');
    if (result.status !== 'passed') return;
    assert.equal(result.sockets.length, 2);
    assert.equal(result.byName.get('web-80'), 3);
    assert.equal(result.byPort.get(80), 3);
  });

  test('without LISTEN_FDNAMES every descriptor is "unknown", as sd_listen_fds_with_names says', () => {
    const result = readListenFds({ LISTEN_PID: String(PID), LISTEN_FDS: '2' }, PID);
    assert.equal(result.status, 'passed');
    if (result.status !== 'passed') return;
    assert.deepEqual(
      result.sockets.map((s) => [s.fd, s.name]),
      [
        [3, 'unknown'],
        [4, 'unknown'],
      ],
    );
    assert.equal(result.byPort.size, 0);
  });

  test('variables for another process, or none at all, pass nothing', () => {
    assert.deepEqual(readListenFds({}, PID), { status: 'none' });
    assert.deepEqual(readListenFds({ LISTEN_FDS: '1' }, PID), { status: 'none' });
    // A child that inherited the variables of its socket-activated parent must not take its sockets.
    assert.deepEqual(
      readListenFds({ LISTEN_PID: String(PID + 1), LISTEN_FDS: '1', LISTEN_FDNAMES: 'prod-80' }, PID),
      { status: 'none' },
    );
    assert.deepEqual(readListenFds({ LISTEN_PID: String(PID), LISTEN_FDS: '0' }, PID), { status: 'none' });
  });

  test('malformed variables addressed to this process are invalid, with the reason', () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ LISTEN_PID: 'x1', LISTEN_FDS: '1' }, /LISTEN_PID is not a pid: 'x1'/],
      [{ LISTEN_PID: String(PID), LISTEN_FDS: '-1' }, /LISTEN_FDS is not a count: '-1'/],
      [{ LISTEN_PID: String(PID), LISTEN_FDS: 'two' }, /LISTEN_FDS is not a count/],
      [
        { LISTEN_PID: String(PID), LISTEN_FDS: '2', LISTEN_FDNAMES: 'prod-8080' },
        /LISTEN_FDNAMES has 1 names for 2 descriptors/,
      ],
    ];
    for (const [env, reason] of cases) {
      const result = readListenFds(env, PID);
      assert.equal(result.status, 'invalid', JSON.stringify(env));
      if (result.status === 'invalid') assert.match(result.reason, reason);
    }
  });
});

describe('socket names', () => {
  test('socketName and portOfSocketName agree, environments with dashes included', () => {
    assert.equal(socketName('prod', 8080), 'prod-8080');
    assert.equal(portOfSocketName(socketName('eu-west-2', 443)), 443);
    assert.equal(portOfSocketName('control'), undefined);
    assert.equal(portOfSocketName('big-70000'), undefined);
    assert.equal(portOfSocketName('zero-0'), undefined);
  });

  test('a name systemd would refuse, or a port out of range, is refused', () => {
    assert.throws(() => socketName('a:b', 80), RangeError);
    assert.throws(() => socketName('prod', 0), RangeError);
    assert.throws(() => socketName('prod', 65536), RangeError);
  });
});

test('withoutListenEnv drops the protocol variables and keeps the rest', () => {
  assert.deepEqual(
    withoutListenEnv({
      LISTEN_PID: '1',
      LISTEN_FDS: '1',
      LISTEN_FDNAMES: 'a-1',
      PATH: '/bin',
      GONE: undefined,
    }),
    { PATH: '/bin' },
  );
});
