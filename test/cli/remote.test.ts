// The CLI as a client of a real server: `--server URL` with SLIPWAY_TOKEN, against an in-process
// server over a temp project and a real SQLite store, run through `main` with captured output.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { main } from '../../src/cli/main.js';
import { captureIo } from '../helpers/capture-io.js';
import { createMemoryPlatform, type MemoryPlatform } from '../helpers/memory-platform.js';
import { type Harness, startServer, tempProject, waitFor } from '../server/helpers/server-harness.js';

const CONFIG = `version: 1
project: { name: remote-cli }
jobs:
  build: { run: echo built }
  test: { run: "echo tested; echo second line", needs: [build] }
  broken: { run: "echo about to fail; exit 3" }
  slow: { run: "echo tick-1; sleep 1; echo tick-2" }
pipeline:
  stages:
    - name: ci
      parallel: [build, test]
    - name: bad
      parallel: [broken]
    - name: later
      parallel: [slow]
    - name: deploy
      environments:
        - production: { approval: manual_approval, run: echo deployed }
`;

const TIMEOUT = { timeout: 30_000 };

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describe('slipway --server', () => {
  let h: Harness;
  let dir: string;
  /** Runs the CLI in a folder without slipway.yaml (nothing local is needed) with `env`. */
  const cli = async (env: NodeJS.ProcessEnv, ...argv: string[]) => {
    const io = captureIo(dir, { PATH: process.env.PATH, NO_COLOR: '1', ...env });
    const code = await main(argv, io);
    return { code, out: io.out(), err: io.err() };
  };
  /** Runs the CLI against the test server with a token of `role`. */
  const as = (role: keyof Harness['tokens'], ...argv: string[]) =>
    cli({ SLIPWAY_TOKEN: h.tokens[role] }, '--server', h.url, ...argv);
  const startRun = async (body: object): Promise<number> => {
    const started = await h.api('POST', '/api/v1/runs', { token: h.tokens.deployer, body });
    assert.equal(started.status, 202, started.text);
    return started.json.runId;
  };
  const ndjson = (text: string) =>
    text
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));

  before(async () => {
    h = await startServer(await tempProject(CONFIG));
    dir = await mkdtemp(join(tmpdir(), 'slipway-remote-cli-'));
  });
  after(async () => {
    await h.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('run follows the run to success: job lines and log lines in order, exit 0', TIMEOUT, async () => {
    const { code, out, err } = await as('deployer', 'run', '--stage', 'ci');
    assert.equal(code, 0, err);
    const at = (text: string) => {
      const index = out.indexOf(text);
      assert.ok(index >= 0, `'${text}' in:\n${out}`);
      return index;
    };
    assert.match(out, /run \d+ started on http:\/\/127\.0\.0\.1:\d+: remote-cli \(2 jobs\)/);
    assert.ok(at('build: started') < at('build | built'));
    assert.ok(at('build | built') < at('build: success'));
    assert.ok(at('build: success') < at('test: started'));
    assert.ok(at('test | second line') < at('test: success'));
    assert.match(out, /run \d+ success in /);
    assert.ok(
      !out.includes(h.tokens.deployer) && !err.includes(h.tokens.deployer),
      'the token is never printed',
    );
  });

  test(
    '--json run prints the reporter events as NDJSON; a URL with a trailing slash works',
    TIMEOUT,
    async () => {
      const { code, out, err } = await cli(
        { SLIPWAY_TOKEN: h.tokens.deployer },
        '--json',
        '--server',
        `${h.url}/`,
        'run',
        '--job',
        'build',
      );
      assert.equal(code, 0, err);
      const events = ndjson(out);
      assert.deepEqual(
        events.map((e) => e.type),
        ['run.started', 'job.started', 'job.log', 'job.finished', 'run.finished'],
      );
      assert.deepEqual(events[2], { type: 'job.log', job: 'build', stream: 'stdout', text: 'built' });
      assert.equal(events[4].status, 'success');
    },
  );

  test('a failing run exits 1 and says where its logs are', TIMEOUT, async () => {
    const { code, out } = await as('deployer', 'run', '--job', 'broken');
    assert.equal(code, 1, out);
    assert.match(out, /broken \| about to fail/);
    assert.match(out, /broken: failure exit 3/);
    const id = /run (\d+) failure: `slipway logs \1` shows its logs, `slipway rerun \1 --failed`/.exec(
      out,
    )?.[1];
    assert.ok(id, out);
    const logs = await as('viewer', 'logs', id, 'broken');
    assert.equal(logs.code, 0, logs.err);
    assert.equal(logs.out, 'about to fail\nexited with code 3\n');
    const missing = await as('viewer', 'logs', id, 'nope');
    assert.equal(missing.code, 2);
    assert.match(missing.err, /run \d+ has no job 'nope' \(its jobs: broken\)/);
  });

  test('runs and logs read the server: the local shapes, text and --json', TIMEOUT, async () => {
    const id = await startRun({ job: 'build' });
    await waitFor('the run to end', async () =>
      (await h.store.getRun(id))?.status === 'success' ? true : undefined,
    );
    const runs = await as('viewer', 'runs', '--limit', '2');
    assert.equal(runs.code, 0, runs.err);
    assert.match(runs.out.split('\n')[0] ?? '', new RegExp(`^\\s+${id}  success\\s+.* remote-cli .* api$`));
    const json = await as('viewer', '--json', 'runs');
    const listed = JSON.parse(json.out);
    assert.equal(listed[0].id, id);
    assert.equal(listed[0].actor, 'deployer-token');
    assert.equal(listed[0].plan, undefined);
    const logs = await as('viewer', 'logs', String(id));
    assert.equal(logs.out, 'build | built\n');
    const jsonLogs = ndjson((await as('viewer', '--json', 'logs', String(id))).out);
    assert.equal(jsonLogs[0].jobKey, 'build');
    assert.equal(jsonLogs[0].text, 'built');
    const unknown = await as('viewer', 'logs', '99999');
    assert.equal(unknown.code, 2);
    assert.match(unknown.err, /no run 99999/);
  });

  test('logs --follow prints lines as they come and returns when the run ends', TIMEOUT, async () => {
    const id = await startRun({ job: 'slow' });
    const followed = await as('viewer', 'logs', String(id), '--follow');
    assert.equal(followed.code, 0, followed.err);
    assert.equal(followed.out, 'slow | tick-1\nslow | tick-2\n');
    assert.equal((await h.store.getRun(id))?.status, 'success');
  });

  test(
    'approve with too low a role prints the 403 message and exits 1; an approver continues the run',
    TIMEOUT,
    async () => {
      const id = await startRun({ stage: 'deploy' });
      await waitFor('the production gate', async () =>
        (await h.store.getApproval(id, 'production'))?.status === 'pending' ? true : undefined,
      );
      const refused = await as('deployer', 'approve', String(id), 'production');
      assert.equal(refused.code, 1);
      assert.equal(
        refused.err,
        "slipway: deciding the 'production' gate needs the approver role; token 'deployer-token' is deployer (server answered HTTP 403 FORBIDDEN)\n",
      );
      const approved = await as('approver', 'approve', String(id), 'production', '--comment', 'ship it');
      assert.equal(approved.code, 0, approved.err);
      assert.equal(approved.out, `production of run ${id} approved by approver-token\n`);
      const again = await as('approver', '--json', 'reject', String(id), 'production');
      assert.equal(again.code, 2, 'a decided gate is a conflict: a usage error');
      assert.match(again.err, /already approved by approver-token/);
      await waitFor('the run to end', async () =>
        (await h.store.getRun(id))?.status === 'success' ? true : undefined,
      );
      const events = ndjson((await as('viewer', '--json', 'events', '--run', String(id))).out);
      assert.deepEqual(
        events.filter((e) => e.type.startsWith('approval.')).map((e) => [e.type, e.actor, e.data.comment]),
        [
          ['approval.requested', 'deployer-token', undefined],
          ['approval.granted', 'approver-token', 'ship it'],
        ],
      );
      const text = await as('viewer', 'events', '--run', String(id), '--type', 'approval.granted');
      assert.match(
        text.out,
        /^\S+Z {2}approval\.granted {5}approver-token run \d+ remote-cli\/production\n$/,
      );
    },
  );

  test(
    'token create through the server (admin), then that token works; list and revoke',
    TIMEOUT,
    async () => {
      const created = await as('admin', '--json', 'token', 'create', '--role', 'viewer', '--name', 'dash');
      assert.equal(created.code, 0, created.err);
      const made = JSON.parse(created.out);
      assert.deepEqual(Object.keys(made).sort(), ['name', 'role', 'token']);
      assert.equal(made.role, 'viewer');
      assert.match(made.token, /^slw_[A-Za-z0-9_-]{43}$/);
      const withIt = await cli({ SLIPWAY_TOKEN: made.token }, '--server', h.url, 'runs');
      assert.equal(withIt.code, 0, withIt.err);

      const byViewer = await cli({ SLIPWAY_TOKEN: made.token }, '--server', h.url, 'token', 'list');
      assert.equal(byViewer.code, 1);
      assert.match(byViewer.err, /needs the admin role; token 'dash' is viewer/);
      const duplicate = await as('admin', 'token', 'create', '--role', 'viewer', '--name', 'dash');
      assert.equal(duplicate.code, 2);
      assert.match(duplicate.err, /a token named 'dash' already exists/);

      const listed = await as('admin', '--json', 'token', 'list');
      assert.equal(listed.code, 0, listed.err);
      assert.ok(!listed.out.includes('slw_'), 'no token value in the listing');
      const dash = ndjson(listed.out).find((t) => t.name === 'dash');
      assert.equal(dash.createdBy, 'admin-token');
      assert.equal(dash.hash, undefined);

      const revoked = await as('admin', 'token', 'revoke', 'dash');
      assert.equal(revoked.code, 0, revoked.err);
      assert.equal(revoked.out, "token 'dash' revoked\n");
      const after = await cli({ SLIPWAY_TOKEN: made.token }, '--server', h.url, 'runs');
      assert.equal(after.code, 1);
      assert.match(after.err, /the token is unknown or revoked \(server answered HTTP 401 UNAUTHORIZED\)/);
      assert.ok(!after.err.includes(made.token));
    },
  );

  test('the token routes are in the OpenAPI document', TIMEOUT, async () => {
    const doc = await h.api('GET', '/api/v1/openapi.json');
    assert.ok(doc.json.paths['/api/v1/tokens'].post);
    assert.ok(doc.json.paths['/api/v1/tokens'].get);
    assert.ok(doc.json.paths['/api/v1/tokens/{name}/revoke'].post);
    const bad = await h.api('POST', '/api/v1/tokens', {
      token: h.tokens.admin,
      body: { name: 'x', role: 'root' },
    });
    assert.equal(bad.status, 400);
  });

  test(
    'a server that is down: one line naming the URL and the reason, exit 1, no stack',
    TIMEOUT,
    async () => {
      const url = `http://127.0.0.1:${await closedPort()}`;
      const down = await cli({ SLIPWAY_TOKEN: 'slw_secret-value' }, '--server', url, 'runs');
      assert.equal(down.code, 1);
      assert.match(
        down.err,
        new RegExp(`^slipway: cannot reach the Slipway server at ${url}: .*ECONNREFUSED.*\\n$`),
      );
      assert.ok(!down.err.includes('slw_secret-value'));
    },
  );

  test(
    'no SLIPWAY_TOKEN, a bad URL: usage errors (exit 2); SLIPWAY_SERVER works like --server',
    TIMEOUT,
    async () => {
      const missing = await cli({}, '--server', h.url, 'runs');
      assert.equal(missing.code, 2);
      assert.match(missing.err, /--server http:\/\/127\.0\.0\.1:\d+ needs an API token: set SLIPWAY_TOKEN/);
      const bad = await cli({ SLIPWAY_TOKEN: 'x' }, '--server', 'ftp://example.com', 'runs');
      assert.equal(bad.code, 2);
      assert.match(bad.err, /--server must be an http:\/\/ or https:\/\/ URL/);
      const fromEnv = await cli({ SLIPWAY_SERVER: h.url, SLIPWAY_TOKEN: h.tokens.viewer }, '--json', 'runs');
      assert.equal(fromEnv.code, 0, fromEnv.err);
      assert.ok(Array.isArray(JSON.parse(fromEnv.out)));
    },
  );

  test('local-only commands refuse a server (exit 2); schema still runs locally', TIMEOUT, async () => {
    for (const argv of [
      ['agent', 'status'],
      ['plan', 'web', '--env', 'production'],
      ['health'],
      ['logs', 'web', '--env', 'production'],
      ['release', '--dry-run'],
      ['run', '--concurrency', '2'],
    ]) {
      const refused = await as('admin', ...argv);
      assert.equal(refused.code, 2, argv.join(' '));
      assert.match(refused.err, /runs locally only|cannot be used with --server/, argv.join(' '));
    }
    const fromEnv = await cli({ SLIPWAY_SERVER: h.url, SLIPWAY_TOKEN: h.tokens.admin }, 'agent', 'status');
    assert.match(fromEnv.err, /unset SLIPWAY_SERVER to run it on this machine/);
    const schema = await as('viewer', 'schema');
    assert.equal(schema.code, 0, schema.err);
    assert.ok(JSON.parse(schema.out).$schema);
  });

  test('incident open, list and close, and metrics, through the server', TIMEOUT, async () => {
    const opened = await as(
      'deployer',
      '--json',
      'incident',
      'open',
      '--service',
      'web',
      '--env',
      'production',
    );
    assert.equal(opened.code, 0, opened.err);
    const incident = JSON.parse(opened.out) as { id: number; openedBy: string; resolvedAt: number | null };
    assert.equal(incident.resolvedAt, null);
    const viewer = await as('viewer', 'incident', 'close', String(incident.id));
    assert.equal(viewer.code, 1, 'a viewer may not close incidents (403 fails, exit 1)');
    assert.match(viewer.err, /403|deployer/);
    const listed = await as('viewer', 'incident', 'list', '--open');
    assert.match(listed.out, new RegExp(`incident ${incident.id}  web/production .* open `));
    const closed = await as('deployer', 'incident', 'close', String(incident.id));
    assert.equal(closed.code, 0, closed.err);
    const twice = await as('deployer', 'incident', 'close', String(incident.id));
    assert.equal(twice.code, 2);
    assert.match(twice.err, /closed already/);
    const metrics = await as('viewer', '--json', 'metrics', '--since', '1d');
    assert.equal(metrics.code, 0, metrics.err);
    const api = await h.api('GET', '/api/v1/metrics/delivery?since=1d', { token: h.tokens.viewer });
    const local = JSON.parse(metrics.out) as { window: unknown; time_to_restore: unknown };
    assert.deepEqual(local.time_to_restore, api.json.time_to_restore);
    assert.equal(api.json.time_to_restore.band, 'one day', 'the closed incident is a restore');
    const bad = await as('viewer', 'metrics', '--since', 'soon');
    assert.equal(bad.code, 2);
    assert.match(bad.err, /soon/);
  });

  test(
    "deploy of an unknown service is the server's 404 as a usage error; status of an empty env",
    TIMEOUT,
    async () => {
      const unknown = await as('deployer', 'deploy', 'nope', '--env', 'production');
      assert.equal(unknown.code, 2, unknown.err);
      assert.match(unknown.err, /nope/);
      const status = await as('viewer', 'status', '--env', 'production');
      assert.equal(status.code, 0, status.err);
      assert.equal(status.out, 'nothing is deployed in production\n');
    },
  );
});

const SERVICE = `version: 1
services:
  web:
    run: node server.mjs
    instances: 2
    env: { VERSION: v1 }
environments:
  prod:
    strategy:
      rolling: { batchSize: 1, maxSurge: 1, maxUnavailable: 0 }
`;

describe('slipway --server deploy, rollback, status, history', () => {
  let h: Harness;
  let dir: string;
  let platform: MemoryPlatform;
  const as = async (role: keyof Harness['tokens'], ...argv: string[]) => {
    const io = captureIo(dir, { PATH: process.env.PATH, NO_COLOR: '1', SLIPWAY_TOKEN: h.tokens[role] });
    const code = await main(['--server', h.url, ...argv], io);
    return { code, out: io.out(), err: io.err() };
  };
  const setConfig = (yaml: string) => writeFile(join(h.projectDir, 'slipway.yaml'), yaml);

  before(async () => {
    // Services answer at made-up host names, so the printed URLs do not depend on a port.
    platform = createMemoryPlatform({ publicUrl: (ref) => `http://${ref.env}.${ref.service}.test` });
    h = await startServer(await tempProject(SERVICE), undefined, { platform });
    dir = await mkdtemp(join(tmpdir(), 'slipway-remote-deploy-'));
  });
  after(async () => {
    await h.close();
    await platform.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('deploy follows the rollout to completion (exit 0); again is unchanged', TIMEOUT, async () => {
    const first = await as('deployer', 'deploy', 'web', '--env', 'prod');
    assert.equal(first.code, 0, first.err + first.out);
    assert.match(first.out, /^rollout \d+ of (r-[0-9a-f]{12}) started \(rolling, \d+ steps\)\n/);
    assert.match(first.out, /\nstep 1: /);
    assert.match(
      first.out,
      /\nrollout completed \(r-[0-9a-f]{12}\)\nweb serves prod at http:\/\/prod\.web\.test\n$/,
    );
    const again = await as('deployer', 'deploy', 'web', '--env', 'prod');
    assert.equal(again.code, 0, again.err);
    assert.match(again.out, /^web r-[0-9a-f]{12} already serves prod: nothing to deploy\n$/);
  });

  test('a deploy that aborts exits 1; --json ends with rollout.finished', TIMEOUT, async () => {
    await setConfig(
      `${SERVICE.replace('VERSION: v1', 'VERSION: v2')}    hooks: { preDeploy: "sh -c 'exit 4'" }\n`,
    );
    const aborted = await as('deployer', '--json', 'deploy', 'web', '--env', 'prod');
    assert.equal(aborted.code, 1, aborted.err + aborted.out);
    const last = aborted.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .at(-1);
    assert.equal(last.type, 'rollout.finished');
    assert.equal(last.status, 'aborted');
    assert.match(last.reason, /preDeploy hook failed/);
  });

  test(
    'a second version deploys; rollback goes back to the first; status and history show it',
    TIMEOUT,
    async () => {
      await setConfig(SERVICE.replace('VERSION: v1', 'VERSION: v2'));
      const v2 = await as('deployer', 'deploy', 'web', '--env', 'prod');
      assert.equal(v2.code, 0, v2.err + v2.out);
      const history = await as('viewer', '--json', 'history', 'web', '--env', 'prod');
      const rollouts = history.out
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      assert.deepEqual(
        rollouts.map((r) => r.phase),
        ['completed', 'aborted', 'completed'],
      );
      assert.equal(rollouts[0].steps, null, 'the API does not expose the plan');
      const v1 = rollouts[2].revision;
      const back = await as('deployer', 'rollback', 'web', '--env', 'prod');
      assert.equal(back.code, 0, back.err + back.out);
      assert.match(back.out, new RegExp(`web in prod is back on ${v1}\\n$`));
      const status = await as('viewer', 'status', '--env', 'prod');
      assert.equal(status.code, 0, status.err);
      assert.match(
        status.out,
        new RegExp(
          `^web \\(prod\\) http://prod\\.web\\.test\\n  ${v1} \\[stable\\] 100% of traffic, 2/2 ready\\n`,
        ),
      );
      const none = await as('deployer', 'promote', 'web', '--env', 'prod');
      assert.equal(none.code, 2);
      assert.match(none.err, /no rollout in progress/);
    },
  );
});
