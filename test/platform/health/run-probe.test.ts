// runProbe against real local peers: HTTP status, hangs and refusals; TCP; commands with exit codes and timeouts.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runProbe } from '../../../src/platform/health/run-probe.js';
import { closedPort, eventually, httpPeer, type Peer, silentPeer } from './helpers/peers.js';

const SLACK_MS = 400;
const cwd = mkdtempSync(join(tmpdir(), 'slipway-probe-'));
after(() => rmSync(cwd, { recursive: true, force: true }));

function target(port: number, env: Record<string, string> = {}) {
  return { host: '127.0.0.1', port, cwd, env };
}

describe('http probe', () => {
  let peer: Peer;
  const seen: { path: string; connection: string | undefined }[] = [];
  const hanging = new Set<ServerResponse>();
  before(async () => {
    peer = await httpPeer((req: IncomingMessage, res: ServerResponse) => {
      seen.push({ path: req.url ?? '', connection: req.headers.connection });
      if (req.url === '/healthz') res.writeHead(200).end('ok');
      else if (req.url === '/moved') res.writeHead(302, { location: '/healthz' }).end();
      else if (req.url === '/hang') {
        hanging.add(res);
        res.on('close', () => hanging.delete(res));
      } else res.writeHead(503).end('not ready');
    });
  });
  after(() => peer.close());

  test('passes on 200 and sends the path with connection: close', async () => {
    const result = await runProbe({ kind: 'http', path: '/healthz' }, target(peer.port), 1000);
    assert.equal(result.ok, true);
    assert.equal(result.message, 'HTTP 200');
    assert.ok(result.latencyMs >= 0 && result.latencyMs < 1000);
    assert.deepEqual(seen.at(-1), { path: '/healthz', connection: 'close' });
  });

  test('passes on a 3xx without following it', async () => {
    const result = await runProbe({ kind: 'http', path: '/moved' }, target(peer.port), 1000);
    assert.deepEqual([result.ok, result.message], [true, 'HTTP 302']);
  });

  test('fails on 503', async () => {
    const result = await runProbe({ kind: 'http', path: '/ready' }, target(peer.port), 1000);
    assert.deepEqual([result.ok, result.message], [false, 'HTTP 503']);
  });

  test('a path without a leading slash is still a path', async () => {
    const result = await runProbe({ kind: 'http', path: 'healthz' }, target(peer.port), 1000);
    assert.deepEqual([result.ok, seen.at(-1)?.path], [true, '/healthz']);
  });

  test('a hanging endpoint times out and its connection is closed', async () => {
    const started = Date.now();
    const result = await runProbe({ kind: 'http', path: '/hang' }, target(peer.port), 300);
    const took = Date.now() - started;
    assert.deepEqual([result.ok, result.message], [false, 'timed out after 300 ms']);
    assert.ok(took >= 290 && took < 300 + SLACK_MS, `took ${took} ms`);
    assert.ok(await eventually(() => hanging.size === 0), 'the server still holds the probe connection');
  });

  test('a refused connection fails with "connection refused"', async () => {
    const result = await runProbe({ kind: 'http', path: '/healthz' }, target(await closedPort()), 1000);
    assert.deepEqual([result.ok, result.message], [false, 'connection refused']);
  });

  test('a peer that accepts and never answers times out', async () => {
    const silent = await silentPeer();
    try {
      const result = await runProbe({ kind: 'http', path: '/' }, target(silent.port), 200);
      assert.deepEqual([result.ok, result.message], [false, 'timed out after 200 ms']);
      assert.ok(await eventually(() => silent.openSockets() === 0), 'the probe socket was left open');
    } finally {
      await silent.close();
    }
  });
});

describe('tcp probe', () => {
  test('passes when the port accepts a connection', async () => {
    const silent = await silentPeer();
    try {
      const result = await runProbe({ kind: 'tcp' }, target(silent.port), 1000);
      assert.equal(result.ok, true);
      assert.match(result.message, /^connected/);
      assert.ok(await eventually(() => silent.openSockets() === 0), 'the probe socket was left open');
    } finally {
      await silent.close();
    }
  });

  test('fails when the port refuses', async () => {
    const result = await runProbe({ kind: 'tcp' }, target(await closedPort()), 1000);
    assert.deepEqual([result.ok, result.message], [false, 'connection refused']);
  });
});

describe('exec probe', () => {
  test('passes on exit 0, in the target folder with env and PORT', async () => {
    const command = 'test "$PWD" = "$EXPECTED_CWD" && test "$PORT" = 4321 && test "$GREETING" = hi';
    const result = await runProbe(
      { kind: 'exec', command },
      target(4321, { EXPECTED_CWD: cwd, GREETING: 'hi', PATH: process.env.PATH ?? '' }),
      2000,
    );
    assert.deepEqual([result.ok, result.message], [true, 'exit 0']);
  });

  test('fails with the exit code and the last stderr line', async () => {
    const command = 'echo first >&2; echo "database not reachable" >&2; echo noise; exit 3';
    const result = await runProbe({ kind: 'exec', command }, target(1), 2000);
    assert.deepEqual([result.ok, result.message], [false, 'exit 3: database not reachable']);
  });

  test('fails with the bare exit code when stderr is empty', async () => {
    const result = await runProbe({ kind: 'exec', command: 'exit 1' }, target(1), 2000);
    assert.deepEqual([result.ok, result.message], [false, 'exit 1']);
  });

  test('times out and kills the whole process group', async () => {
    const marker = join(cwd, 'survived');
    const command = `(sleep 1 && touch ${marker}) & sleep 5`;
    const started = Date.now();
    const result = await runProbe({ kind: 'exec', command }, target(1), 300);
    const took = Date.now() - started;
    assert.deepEqual([result.ok, result.message], [false, 'timed out after 300 ms']);
    assert.ok(took < 300 + SLACK_MS, `took ${took} ms`);
    await new Promise((resolve) => setTimeout(resolve, 1200));
    assert.equal(existsSync(marker), false, 'a child of the probe command outlived the timeout');
  });

  test('a command that leaves a background child still finishes promptly', async () => {
    const result = await runProbe({ kind: 'exec', command: 'sleep 5 & exit 0' }, target(1), 2000);
    assert.equal(result.ok, true);
    assert.ok(result.latencyMs < 1000, `took ${result.latencyMs} ms`);
  });

  test('a missing folder fails without throwing', async () => {
    const result = await runProbe(
      { kind: 'exec', command: 'true' },
      { host: '127.0.0.1', port: 1, cwd: join(cwd, 'nope'), env: {} },
      1000,
    );
    assert.equal(result.ok, false);
    assert.match(result.message, /^cannot run probe command/);
  });
});
