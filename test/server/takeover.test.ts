/**
 * Two `slipway server` processes on one PostgreSQL database: one starts a canary, is killed with
 * SIGKILL mid-rollout, and the other takes the rollout's lease over and finishes it, while steady
 * traffic sees no failed request. Neither server ever drives the rollout while the other holds it.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, test } from 'node:test';
import pg from 'pg';
import { ROOT } from '../platform/helpers.js';
import { fixtureConfig, steadyLoad, testProject } from '../rollout/helpers.js';
import { PG_URL } from '../store/helpers/backends.js';
import { waitFor } from './helpers/server-harness.js';

const BIN = join(ROOT, 'bin', 'slipway.js');

const CONFIG = fixtureConfig({
  version: 'v1',
  strategy: `      canary:
        stages:
          - { traffic: 50, duration: 4s }
          - { traffic: 100 }
        metrics: [error_rate]`,
});

interface Server {
  readonly child: ChildProcess;
  readonly url: string;
  readonly output: string[];
}

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Two or more `slipway server` processes over one fresh PostgreSQL database and one project. */
interface Cluster {
  readonly token: string;
  start(): Promise<Server>;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON
  api(server: Server, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }>;
  /** The run's row as stored: status and lease. */
  lease(runId: number): Promise<{ status: string; owner: string | null }>;
}

async function cluster(projectDir: string, cleanups: (() => Promise<void> | void)[]): Promise<Cluster> {
  const database = `slipway_takeover_${process.pid}_${Date.now()}`;
  await adminQuery(`CREATE DATABASE ${database}`);
  const url = new URL(PG_URL);
  url.pathname = `/${database}`;
  const env = { ...process.env, NO_COLOR: '1', SLIPWAY_DATABASE_URL: url.toString() };
  const servers: Server[] = [];
  cleanups.push(async () => {
    for (const server of servers) server.child.kill('SIGKILL');
    await adminQuery(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  });
  const created = spawnSync(
    process.execPath,
    [BIN, '--json', 'token', 'create', '--role', 'admin', '--name', 'ops'],
    { cwd: projectDir, env, encoding: 'utf8', timeout: 60_000 },
  );
  assert.equal(created.status, 0, created.stderr);
  const token = (JSON.parse(created.stdout) as { token: string }).token;
  return {
    token,
    async start() {
      const child = spawn(process.execPath, [BIN, 'server', '--port', '0'], {
        cwd: projectDir,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const output: string[] = [];
      child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
      const lines = createInterface({ input: child.stdout! });
      const listening = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no listening line: ${output.join('')}`)), 30_000);
        lines.on('line', (line) => {
          output.push(line);
          const match = /listening on (http:\/\/\S+)/.exec(line);
          if (match?.[1]) {
            clearTimeout(timer);
            resolve(match[1]);
          }
        });
        child.on('exit', (code) => reject(new Error(`server exited (${code}): ${output.join('\n')}`)));
      });
      const server = { child, url: listening, output };
      servers.push(server);
      return server;
    },
    async lease(runId) {
      const client = new pg.Client({ connectionString: url.toString() });
      await client.connect();
      try {
        const { rows } = await client.query('SELECT status, owner FROM runs WHERE id = $1', [runId]);
        return rows[0] as { status: string; owner: string | null };
      } finally {
        await client.end();
      }
    },
    async api(server, method, path, body) {
      const response = await fetch(`${server.url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: response.status, json: await response.json() };
    },
  };
}

/** Waits for `probe` (a minute by default: deploys and takeovers on a busy machine take a while). */
const settle = <T>(what: string, probe: () => Promise<T | undefined>, ms = 60_000) =>
  waitFor(what, probe, ms);

test('two servers on one database: killing the one driving a canary hands the rollout to the other', {
  timeout: 180_000,
}, async () => {
  const project = testProject(CONFIG);
  const cleanups: (() => Promise<void> | void)[] = [() => project.cleanup()];
  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });
  const { start, api } = await cluster(project.dir, cleanups);
  const latest = async (server: Server) =>
    (await api(server, 'GET', '/api/v1/services/web/environments/prod')).json.rollout as {
      id: number;
      phase: string;
      step: number;
      revision: string;
    } | null;
  const a = await start();
  const b = await start();

  // v1 everywhere first, through server A.
  const first = await api(a, 'POST', '/api/v1/services/web/environments/prod/deploy', {});
  assert.equal(first.status, 202, JSON.stringify(first.json));
  await settle('v1 to complete', async () => {
    const rollout = await latest(b);
    return rollout?.phase === 'completed' ? rollout : undefined;
  });
  const status = (await api(b, 'GET', '/api/v1/services/web/environments/prod')).json.status;
  const load = steadyLoad(status.url);

  // v2 through server A; A is killed while v2 holds 50% of the traffic.
  project.edit('VERSION: v1', 'VERSION: v2');
  const second = await api(a, 'POST', '/api/v1/services/web/environments/prod/deploy', {});
  assert.equal(second.status, 202, JSON.stringify(second.json));
  const rolloutId = second.json.rolloutId as number;
  await settle('v2 at 50%', async () => {
    const rollout = await latest(b);
    const revisions = (await api(b, 'GET', '/api/v1/services/web/environments/prod')).json.status
      ?.revisions as { id: string; weight: number }[] | undefined;
    const weight = revisions?.find((r) => r.id === rollout?.revision)?.weight;
    return rollout?.id === rolloutId && weight === 50 ? rollout : undefined;
  });
  a.child.kill('SIGKILL');
  const killedAt = Date.now();

  const done = await settle('server B to finish the rollout', async () => {
    const rollout = await latest(b);
    return rollout?.id === rolloutId && rollout.phase !== 'running' && rollout.phase !== 'paused'
      ? rollout
      : undefined;
  });
  assert.equal(done.phase, 'completed', JSON.stringify(done));
  const finalStatus = (await api(b, 'GET', '/api/v1/services/web/environments/prod')).json.status;
  assert.deepEqual(
    (finalStatus.revisions as { id: string; weight: number }[])
      .filter((r) => r.weight > 0)
      .map((r) => [r.id, r.weight]),
    [[done.revision, 100]],
  );
  // The line is logged once the drive returns, a moment after the store says completed.
  await settle('the takeover to be logged', async () =>
    b.output.some((line) => line.includes(`took over rollout ${rolloutId} of web in prod`))
      ? true
      : undefined,
  );
  assert.ok(Date.now() - killedAt < 60_000);
  const stats = await load.stop();
  assert.ok(stats.ok > 50, `traffic flowed: ${JSON.stringify(stats)}`);
  assert.equal(stats.failed, 0, `no failed request: ${JSON.stringify(stats)}`);

  // The event log shows one completion, by the server that took over.
  const events = (await api(b, 'GET', `/api/v1/events?type=rollout.completed`)).json.events as {
    subject: string;
  }[];
  assert.equal(events.filter((e) => e.subject === `rollout/${rolloutId}`).length, 1);
});

const GATED = `version: 1
project: { name: leased }
jobs:
  build: { run: echo built-once }
pipeline:
  stages:
    - name: build
      parallel: [build]
    - name: deploy
      environments:
        - production: { approval: manual_approval, run: echo deployed-by-takeover }
`;

test('two servers on one database: a run waiting at a gate moves to the other server when its own is killed; no job runs twice', {
  timeout: 120_000,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-run-takeover-'));
  writeFileSync(join(dir, 'slipway.yaml'), GATED);
  const cleanups: (() => Promise<void> | void)[] = [
    () => rmSync(dir, { recursive: true, force: true, maxRetries: 5 }),
  ];
  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });
  const { start, api, lease } = await cluster(dir, cleanups);
  const a = await start();
  const b = await start();
  const started = await api(a, 'POST', '/api/v1/runs', {});
  assert.equal(started.status, 202, JSON.stringify(started.json));
  const runId = started.json.runId as number;
  const waiting = await settle('the gate', async () => {
    const run = await lease(runId);
    return run.status === 'waiting' ? run : undefined;
  });
  assert.match(waiting.owner ?? '', /:server$/, 'the run is leased to server A');
  a.child.kill('SIGKILL');

  // B adopts it once A's heartbeat is stale, and waits at the same gate.
  const adopted = await settle(
    'a new lease holder',
    async () => {
      const run = await lease(runId);
      return run.owner !== waiting.owner && run.status === 'waiting' ? run : undefined;
    },
    30_000,
  );
  assert.match(adopted.owner ?? '', /:server$/);
  const approved = await api(b, 'POST', `/api/v1/runs/${runId}/approvals/production/approve`, {});
  assert.equal(approved.status, 200, JSON.stringify(approved.json));
  const done = await settle('the run to finish', async () => {
    const run = await lease(runId);
    return run.status !== 'waiting' && run.status !== 'running' ? run : undefined;
  });
  assert.equal(done.status, 'success');
  const logs = (await api(b, 'GET', `/api/v1/runs/${runId}/logs?limit=1000`)).json;
  const text = JSON.stringify(logs);
  assert.equal(text.split('built-once').length - 1, 1, 'the build job ran once, before the kill');
  assert.equal(text.split('deployed-by-takeover').length - 1, 1, 'the deploy ran once, on server B');
  await settle('the takeover to be logged', async () =>
    b.output.some((line) => line.includes(`took over run ${runId}`)) ? true : undefined,
  );
});

test('a server stopped with SIGTERM mid-canary exits at once and leaves the rollout to the other server', {
  timeout: 180_000,
}, async () => {
  const project = testProject(
    fixtureConfig({
      version: 'v1',
      strategy: `      canary:
        stages:
          - { traffic: 30, duration: 15s }
          - { traffic: 100 }
        metrics: [error_rate]`,
    }),
  );
  const cleanups: (() => Promise<void> | void)[] = [() => project.cleanup()];
  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });
  const { start, api } = await cluster(project.dir, cleanups);
  const a = await start();
  const first = await api(a, 'POST', '/api/v1/services/web/environments/prod/deploy', {});
  assert.equal(first.status, 202, JSON.stringify(first.json));
  const rolloutOf = async (server: Server) =>
    (await api(server, 'GET', '/api/v1/services/web/environments/prod')).json.rollout as {
      id: number;
      phase: string;
    } | null;
  await settle('v1', async () => ((await rolloutOf(a))?.phase === 'completed' ? true : undefined));
  project.edit('VERSION: v1', 'VERSION: v2');
  const second = await api(a, 'POST', '/api/v1/services/web/environments/prod/deploy', {});
  assert.equal(second.status, 202, JSON.stringify(second.json));
  const rolloutId = second.json.rolloutId as number;
  await settle('v2 holding at 30%', async () => {
    const revisions = (await api(a, 'GET', '/api/v1/services/web/environments/prod')).json.status
      ?.revisions as { weight: number }[] | undefined;
    return revisions?.some((r) => r.weight === 30) ? true : undefined;
  });
  const exited = new Promise<number | null>((resolve) => a.child.on('exit', (code) => resolve(code)));
  const stoppedAt = Date.now();
  a.child.kill('SIGTERM');
  assert.equal(await exited, 0, a.output.join('\n'));
  assert.ok(
    Date.now() - stoppedAt < 5000,
    `server A stopped in ${Date.now() - stoppedAt} ms, not after the hold`,
  );
  const b = await start();
  assert.equal((await rolloutOf(b))?.phase, 'running', 'A left the rollout unfinished (the hold is 15 s)');
  const done = await settle('server B to finish it', async () => {
    const rollout = await rolloutOf(b);
    return rollout?.id === rolloutId && rollout.phase === 'completed' ? rollout : undefined;
  });
  assert.equal(done.phase, 'completed');
  await settle('the takeover to be logged', async () =>
    b.output.some((line) => line.includes(`took over rollout ${rolloutId}`)) ? true : undefined,
  );
});
