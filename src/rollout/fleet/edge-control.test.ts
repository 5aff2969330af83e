// The edge's control API over a real unix socket, driven through the client the CLI uses: status
// and commands answered, bad requests refused with 400, a stale socket replaced, a live one refused,
// and no socket at all reported as `no_edge`.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { edgeSocketPath, edgeStatus, sendFailover } from './edge-client.js';
import { type EdgeControl, type EdgeStatus, serveEdgeControl } from './edge-control.js';
import { EdgeError } from './edge-errors.js';

const STATUS: EdgeStatus = {
  service: 'web',
  env: 'production',
  director: 'router',
  strategy: 'manual',
  entryPoint: { host: '127.0.0.1', port: 1234 },
  regions: [
    {
      name: 'us',
      share: 100,
      weight: 100,
      state: 'ready',
      phase: 'in_service',
      health: { basis: 'unknown' },
      upstreams: ['10.0.0.1:8080'],
    },
  ],
};

describe('edge control API', () => {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-edge-control-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const given: unknown[] = [];
  const control: EdgeControl = {
    status: async () => STATUS,
    command: async (kind, region, actor) => {
      given.push({ kind, region, actor });
      const command = { kind, region, at: 5 };
      return region === 'us'
        ? { status: 'accepted', command }
        : { status: 'rejected', command, reason: 'unknown_region', message: `no region ${region}` };
    },
  };
  const rejects = async (promise: Promise<unknown>, code: string, message: RegExp): Promise<void> => {
    await assert.rejects(promise, (error: unknown) => {
      assert.ok(error instanceof EdgeError, String(error));
      assert.equal(error.code, code);
      assert.match(error.message, message);
      return true;
    });
  };

  test('status, commands and refusals through the client', async () => {
    const socket = edgeSocketPath(dir, 'production');
    assert.equal(socket, join(dir, '.slipway', 'edge', 'production.sock'));
    await rejects(edgeStatus(socket), 'no_edge', /no edge answers/);
    const server = await serveEdgeControl(socket, control);
    try {
      assert.deepEqual(await edgeStatus(socket), STATUS);
      assert.deepEqual(await sendFailover(socket, { from: 'us' }, 'ops'), {
        status: 'accepted',
        command: { kind: 'fail_over', region: 'us', at: 5 },
      });
      const rejected = await sendFailover(socket, { restore: 'mars' });
      assert.equal(rejected.status, 'rejected');
      assert.deepEqual(given, [
        { kind: 'fail_over', region: 'us', actor: 'ops' },
        { kind: 'restore', region: 'mars', actor: undefined },
      ]);
      await rejects(
        sendFailover(socket, { from: 'us', restore: 'us' } as unknown as { from: string }),
        'bad_request',
        /exactly one of `from` and `restore`/,
      );
      await rejects(serveEdgeControl(socket, control), 'edge_running', /already answers/);
    } finally {
      await server.close();
    }
    await rejects(edgeStatus(socket), 'no_edge', /no edge answers/);
  });

  test('a stale socket file left by an edge that died is replaced', async () => {
    const socket = edgeSocketPath(dir, 'staging');
    const first = await serveEdgeControl(socket, control);
    await first.close();
    // A file that nothing listens on stands for the socket of a killed edge.
    writeFileSync(socket, '');
    const server = await serveEdgeControl(socket, control);
    try {
      assert.equal((await edgeStatus(socket)).env, 'production');
    } finally {
      await server.close();
    }
  });
});
