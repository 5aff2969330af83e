// The control API over a fake agent: routing, errors mapped by kind, and the wire format the client reads back.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type ErrorKind, SlipwayError } from '../../../errors/slipway-error.js';
import { PlatformError } from '../../errors.js';
import type { ServiceRef, ServiceStatus, TrafficSpec } from '../../platform.js';
import { AgentClient } from '../agent-client.js';
import { type AgentControl, type ControlledUnit, handleControl } from './control-api.js';

/** An error of another domain: the control API must map it by kind too. */
class OtherError extends SlipwayError<'OTHER_BROKEN'> {
  constructor(kind: ErrorKind) {
    super('OTHER_BROKEN', kind, `other failed (${kind})`);
  }
}

const STATUS: ServiceStatus = { service: 'web', env: 'prod', sticky: false, revisions: [], instances: [] };

/** An agent with one unit, web in prod, whose operations record or throw what a test wants. */
function fakeAgent(calls: string[]): AgentControl {
  const unit: ControlledUnit = {
    status: () => STATUS,
    scale: (revision, instances) => {
      if (revision === 'r-missing') {
        throw new PlatformError('REVISION_NOT_FOUND', `service web has no revision ${revision}`);
      }
      calls.push(`scale ${revision} ${instances}`);
    },
    setTraffic: (spec: TrafficSpec) => {
      calls.push(`traffic ${JSON.stringify(spec.weights)}`);
    },
    waitReady: async () => {
      throw new Error('a bug in the agent');
    },
    metrics: async () => ({ at: 1, revisions: {} }),
  };
  return {
    info: () => ({ pid: 42, startedAt: '2030-01-01T00:00:00.000Z', stateDir: '/state', version: '9.9.9' }),
    services: () => [STATUS],
    prometheus: async () => '# nothing\n',
    unit: async (ref: ServiceRef, create?: { port?: number }) => {
      if (create?.port === 1) throw new PlatformError('PORT_IN_USE', 'port 1 is already used by api in prod');
      if (ref.service !== 'web' || ref.env !== 'prod') {
        throw new PlatformError('SERVICE_NOT_FOUND', `${ref.service} is not deployed in ${ref.env}`);
      }
      return unit;
    },
    health: async () => {
      throw new OtherError('unavailable');
    },
    remove: async () => {
      throw new OtherError('internal');
    },
    publishFlags: async (snapshot, serving) => {
      if (serving.port === 1) throw new PlatformError('PORT_IN_USE', 'port 1 is already in use');
      calls.push(`flags ${snapshot.version} ${serving.host}:${serving.port}`);
      return { version: Math.max(snapshot.version, 5), url: `http://${serving.host}:8016` };
    },
    flags: () => ({ version: 5, url: 'http://127.0.0.1:8016', digest: 'abc' }),
    holdSecrets: (service, revision, values) => {
      calls.push(`secrets ${service} ${revision} ${Object.keys(values).join(',')}`);
    },
    stop: async () => {},
  };
}

describe('control API', () => {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-control-'));
  const client = new AgentClient(join(dir, '.slipway'), undefined);
  const calls: string[] = [];
  let server: Server;
  /** The raw answer: status and JSON body. */
  const raw = (method: string, path: string, body?: unknown) =>
    new Promise<{ status: number; body: unknown }>((resolve, reject) => {
      const req = request({ socketPath: client.paths.socket, method, path }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) }),
        );
      });
      req.on('error', reject);
      req.end(body === undefined ? undefined : JSON.stringify(body));
    });

  before(async () => {
    mkdirSync(client.paths.home, { recursive: true });
    const agent = fakeAgent(calls);
    server = createServer((req, res) => void handleControl(agent, req, res));
    await new Promise<void>((resolve) => server.listen(client.paths.socket, resolve));
  });
  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  test('routes requests to the agent and its units', async () => {
    const status = await client.call<{ agent: { pid: number }; services: ServiceStatus[] }>(
      'GET',
      '/v1/status',
    );
    assert.equal(status.agent.pid, 42);
    assert.deepEqual(status.services, [STATUS]);
    await client.call('POST', '/v1/services/web/prod/scale', { revision: 'r-abc', instances: 2 });
    await client.call('POST', '/v1/services/web/prod/traffic', { weights: { 'r-abc': 100 } });
    assert.deepEqual(calls, ['scale r-abc 2', 'traffic {"r-abc":100}']);
  });

  test('a Slipway error answers with the status of its kind and its code, whatever its class', async () => {
    const answers = await Promise.all([
      raw('GET', '/v1/services/api/prod'),
      raw('POST', '/v1/services/web/prod/scale', { revision: 'r-missing', instances: 1 }),
      raw('POST', '/v1/services/api/prod/ensure', { port: 1 }),
      raw('POST', '/v1/services/web/prod/scale', { revision: 7 }),
      raw('GET', '/v1/services/web/prod/health'),
    ]);
    assert.deepEqual(
      answers.map((a) => [a.status, (a.body as { error: { code: string } }).error.code]),
      [
        [404, 'SERVICE_NOT_FOUND'],
        [404, 'REVISION_NOT_FOUND'],
        [409, 'PORT_IN_USE'],
        [400, 'BAD_REQUEST'],
        [503, 'OTHER_BROKEN'],
      ],
    );
  });

  test('an internal Slipway error or any other throw is INTERNAL with its stack', async () => {
    for (const [method, path, message] of [
      ['DELETE', '/v1/services/web/prod', 'other failed (internal)'],
      ['POST', '/v1/services/web/prod/wait-ready', 'a bug in the agent'],
    ] as const) {
      const answer = await raw(method, path, method === 'POST' ? {} : undefined);
      assert.equal(answer.status, 500);
      const error = (answer.body as { error: { code: string; message: string } }).error;
      assert.equal(error.code, 'INTERNAL');
      assert.ok(error.message.includes(`${message}\n    at `), error.message);
    }
  });

  test("a host's revisions are asked of the agent's state directory; bad names are refused", async () => {
    assert.deepEqual(await client.call('GET', '/v1/revisions/web/r-000000000001'), { revision: null });
    const answers = await Promise.all([
      raw('POST', '/v1/revisions/web/r-000000000001/place', { digest: 'nope' }),
      raw('POST', '/v1/revisions/web/r-000000000001/place', { digest: 'a'.repeat(64), inUse: 'r-1' }),
      raw('POST', '/v1/revisions/..%2Fx/r-000000000001/pin', { reason: 'x' }),
      raw('DELETE', '/v1/revisions/web/r-000000000001'),
      raw('POST', '/v1/revisions/web/r-000000000001/place', { digest: 'a'.repeat(64) }),
    ]);
    assert.deepEqual(
      answers.map((a) => [a.status, (a.body as { error: { code: string } }).error.code]),
      [
        [400, 'BAD_REQUEST'],
        [400, 'BAD_REQUEST'],
        [400, 'BAD_REQUEST'],
        [400, 'BAD_REQUEST'],
        [404, 'REVISION_NOT_FOUND'],
      ],
    );
  });

  test('flags: PUT takes a snapshot and where to serve it, GET tells what is served', async () => {
    calls.length = 0;
    const document = { flags: { beta: { state: 'ENABLED', variants: { on: true }, defaultVariant: 'on' } } };
    assert.deepEqual(
      await client.call('PUT', '/v1/flags', {
        snapshot: { version: 7, document },
        serving: { host: '127.0.0.1', port: 0 },
      }),
      { version: 7, url: 'http://127.0.0.1:8016' },
    );
    // An older version: the agent answers the one it serves.
    assert.deepEqual(
      await client.call('PUT', '/v1/flags', {
        snapshot: { version: 3, document },
        serving: { host: '127.0.0.1', port: 0 },
      }),
      { version: 5, url: 'http://127.0.0.1:8016' },
    );
    assert.deepEqual(calls, ['flags 7 127.0.0.1:0', 'flags 3 127.0.0.1:0']);
    assert.deepEqual(await client.call('GET', '/v1/flags'), {
      version: 5,
      url: 'http://127.0.0.1:8016',
      digest: 'abc',
    });
  });

  test('flags: a malformed request is a BAD_REQUEST naming the field, and reaches no agent', async () => {
    calls.length = 0;
    const document = { flags: {} };
    const serving = { host: '127.0.0.1', port: 0 };
    const answers = await Promise.all([
      raw('PUT', '/v1/flags', { serving }),
      raw('PUT', '/v1/flags', { snapshot: { version: -1, document }, serving }),
      raw('PUT', '/v1/flags', { snapshot: { version: 1.5, document }, serving }),
      raw('PUT', '/v1/flags', { snapshot: { version: 1, document: [] }, serving }),
      raw('PUT', '/v1/flags', { snapshot: { version: 1, document } }),
      raw('PUT', '/v1/flags', { snapshot: { version: 1, document }, serving: { host: '', port: 0 } }),
      raw('PUT', '/v1/flags', { snapshot: { version: 1, document }, serving: { host: 'x', port: 70_000 } }),
      raw('DELETE', '/v1/flags'),
      raw('PUT', '/v1/flags', { snapshot: { version: 1, document }, serving: { host: 'x', port: 1 } }),
    ]);
    assert.deepEqual(
      answers.map((a) => {
        const error = (a.body as { error: { code: string; message: string } }).error;
        return [a.status, error.code, error.message.split(' ')[0]];
      }),
      [
        [400, 'BAD_REQUEST', 'snapshot'],
        [400, 'BAD_REQUEST', 'snapshot.version'],
        [400, 'BAD_REQUEST', 'snapshot.version'],
        [400, 'BAD_REQUEST', 'snapshot.document'],
        [400, 'BAD_REQUEST', 'serving'],
        [400, 'BAD_REQUEST', 'serving.host'],
        [400, 'BAD_REQUEST', 'serving.port'],
        [400, 'BAD_REQUEST', 'no'],
        [409, 'PORT_IN_USE', 'port'],
      ],
    );
    assert.deepEqual(calls, []);
  });

  test('secrets: PUT hands a revision its values; a value that is not a string is refused without echoing it', async () => {
    calls.length = 0;
    const ok = await raw('PUT', '/v1/secrets/web/r-0123456789ab', { values: { A: 'sekrit', B: 'other' } });
    assert.equal(ok.status, 200);
    const bad = await raw('PUT', '/v1/secrets/web/r-0123456789ab', { values: { A: 42 } });
    assert.equal(bad.status, 400);
    assert.doesNotMatch(JSON.stringify(bad.body), /42/);
    assert.equal((await raw('PUT', '/v1/secrets/web/r-0123456789ab', {})).status, 400);
    assert.deepEqual(calls, ['secrets web r-0123456789ab A,B']);
  });

  test('the client rebuilds the error with its code and kind', async () => {
    await assert.rejects(client.call('GET', '/v1/services/api/prod'), (error: unknown) => {
      assert.ok(error instanceof PlatformError);
      assert.equal(error.code, 'SERVICE_NOT_FOUND');
      assert.equal(error.kind, 'not_found');
      assert.equal(error.message, 'api is not deployed in prod');
      return true;
    });
  });
});
