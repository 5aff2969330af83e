// Registered projects: `slipway project add|list|remove`, the /api/v1/projects routes, and pushes
// of a registered repository running that repository's pipeline in a clone of its own.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { main } from '../../src/cli/main.js';
import { captureIo } from '../helpers/capture-io.js';
import {
  type Harness,
  readSse,
  sendPush,
  startServer,
  tempProject,
  waitFor,
} from './helpers/server-harness.js';

const SECRET = 'projects-hook-secret';

function git(dir: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd: dir, encoding: 'utf8' }).trim();
}

/** A repository on branch `trunk` whose slipway.yaml job prints `marker`; returns its HEAD. */
async function repository(dir: string, marker: string): Promise<string> {
  git(dir, 'init', '-q', '-b', 'trunk');
  await writeFile(
    join(dir, 'slipway.yaml'),
    `version: 1\nproject: { name: registered }\njobs:\n  hello: { run: echo ${marker} }\n`,
  );
  git(dir, 'add', 'slipway.yaml');
  git(dir, '-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-q', '-m', marker);
  return git(dir, 'rev-parse', 'HEAD');
}

describe('registered projects', () => {
  let h: Harness;
  let repo: string;
  let sha: string;
  let home: string;
  before(async () => {
    repo = await mkdtemp(join(tmpdir(), 'slipway-registered-'));
    sha = await repository(repo, 'hello-from-registered');
    home = await tempProject('version: 1\nproject: { name: home }\njobs:\n  home: { run: echo home }\n');
    h = await startServer(home, undefined, {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, SLIPWAY_WEBHOOK_SECRET: SECRET },
    });
  });
  after(async () => {
    await h.close();
    await rm(repo, { recursive: true, force: true });
  });

  const cli = async (...argv: string[]) => {
    const io = captureIo(home, { PATH: process.env.PATH, SLIPWAY_ACTOR: 'tester' });
    const code = await main(argv, io);
    return { code, out: io.out(), err: io.err() };
  };

  test('`slipway project add|list|remove` on the local store; bad input is exit 2 and records nothing', async () => {
    const added = await cli('--json', 'project', 'add', 'local', '--repo', repo, '--branch', 'trunk');
    assert.equal(added.code, 0, added.err);
    assert.deepEqual(
      (({ name, repo: r, branch, createdBy }) => ({ name, repo: r, branch, createdBy }))(
        JSON.parse(added.out),
      ),
      { name: 'local', repo, branch: 'trunk', createdBy: 'tester' },
    );
    const remote = await cli('project', 'add', 'gh', '--repo', 'git@github.com:acme/api.git');
    assert.equal(remote.code, 0, remote.err);
    assert.match(remote.out, /project gh: pushes to main of git@github.com:acme\/api.git start its pipeline/);
    for (const [args, message] of [
      [['local', '--repo', repo], /a project named 'local' already exists/],
      [['x', '--repo', home], /is not a git repository/],
      [['x', '--repo', join(home, 'nope')], /does not exist/],
      [
        ['x', '--repo', repo, '--branch', 'bad..branch'],
        /--branch 'bad\.\.branch' is not a valid branch name/,
      ],
      [['x', '--repo', 'ftp://example.com/r'], /use an https, http, ssh, git or file URL/],
      [['../x', '--repo', repo], /a project name is 1-100 letters/],
    ] as const) {
      const bad = await cli('project', 'add', ...args);
      assert.equal(bad.code, 2, `${args.join(' ')}: ${bad.err}`);
      assert.match(bad.err, message);
      assert.doesNotMatch(bad.err, /\n\s+at /);
    }
    const listed = await cli('project', 'list');
    assert.equal(listed.code, 0);
    assert.deepEqual(
      listed.out
        .trim()
        .split('\n')
        .map((line) => line.split(/\s+/)[0]),
      ['gh', 'local'],
    );
    assert.equal((await cli('project', 'remove', 'gh')).code, 0);
    assert.equal((await cli('project', 'remove', 'local')).code, 0);
    const gone = await cli('project', 'remove', 'local');
    assert.equal(gone.code, 2);
    assert.match(gone.err, /no project named 'local'/);
  });

  test('/api/v1/projects: viewers list, only admins add and remove; bad bodies are 400, a taken name 409', async () => {
    assert.equal((await h.api('GET', '/api/v1/projects')).status, 401);
    const body = { name: 'api-reg', repo, branch: 'trunk' };
    assert.equal((await h.api('POST', '/api/v1/projects', { token: h.tokens.approver, body })).status, 403);
    const created = await h.api('POST', '/api/v1/projects', { token: h.tokens.admin, body });
    assert.equal(created.status, 201, created.text);
    assert.equal(created.json.repo, repo);
    assert.equal(created.json.createdBy, 'admin-token');
    const again = await h.api('POST', '/api/v1/projects', { token: h.tokens.admin, body });
    assert.equal(again.status, 409);
    const badRepo = await h.api('POST', '/api/v1/projects', {
      token: h.tokens.admin,
      body: { name: 'other', repo: join(home, 'missing'), branch: 'trunk' },
    });
    assert.equal(badRepo.status, 400);
    assert.match(badRepo.json.error.message, /body\.repo .* does not exist/);
    const unknown = await h.api('POST', '/api/v1/projects', {
      token: h.tokens.admin,
      body: { ...body, name: 'x', extra: 1 },
    });
    assert.equal(unknown.status, 400);
    const list = await h.api('GET', '/api/v1/projects', { token: h.tokens.viewer });
    assert.deepEqual(
      list.json.projects.map((p: { name: string }) => p.name),
      ['api-reg'],
    );
    assert.equal(
      (await h.api('DELETE', '/api/v1/projects/api-reg', { token: h.tokens.deployer })).status,
      403,
    );
    assert.equal((await h.api('DELETE', '/api/v1/projects/api-reg', { token: h.tokens.admin })).status, 200);
    assert.equal((await h.api('DELETE', '/api/v1/projects/api-reg', { token: h.tokens.admin })).status, 404);
  });

  test('with --server the project commands go through the API: admin token needed, same output', async () => {
    const remote = async (token: string, ...argv: string[]) => {
      const io = captureIo(home, { PATH: process.env.PATH, SLIPWAY_TOKEN: token });
      const code = await main(['--server', h.url, ...argv], io);
      return { code, out: io.out(), err: io.err() };
    };
    const denied = await remote(h.tokens.deployer, 'project', 'add', 'via-api', '--repo', repo);
    assert.equal(denied.code, 1);
    assert.match(denied.err, /needs the admin role/);
    const added = await remote(
      h.tokens.admin,
      '--json',
      'project',
      'add',
      'via-api',
      '--repo',
      repo,
      '--branch',
      'trunk',
    );
    assert.equal(added.code, 0, added.err);
    assert.equal(JSON.parse(added.out).createdBy, 'admin-token');
    const listed = await remote(h.tokens.viewer, 'project', 'list');
    assert.match(listed.out, /^via-api\s+trunk\s+\S+registered/m);
    assert.equal((await h.store.listProjects()).length, 1, 'recorded in the server store');
    const removed = await remote(h.tokens.admin, 'project', 'remove', 'via-api');
    assert.equal(removed.code, 0, removed.err);
    assert.match(removed.out, /project via-api removed/);
    const again = await remote(h.tokens.admin, 'project', 'remove', 'via-api');
    assert.equal(again.code, 2);
    assert.match(again.err, /no project named 'via-api'/);
  });

  test("a signed push naming a registered repository runs that repository's pipeline from a clone", async () => {
    const created = await h.api('POST', '/api/v1/projects', {
      token: h.tokens.admin,
      body: { name: 'reg', repo, branch: 'trunk' },
    });
    assert.equal(created.status, 201, created.text);
    const send = (ref: string, delivery: string) =>
      sendPush(h, SECRET, {
        ref,
        after: sha,
        repository: { full_name: 'local/registered', clone_url: pathToFileURL(repo).href },
        pusher: 'bob',
        delivery,
      });
    const ignored = await send('refs/heads/main', 'reg-main');
    assert.equal(ignored.status, 202);
    assert.equal(ignored.json.status, 'ignored');
    assert.match(ignored.json.reason, /only pushes to trunk of project reg start runs/);

    const accepted = await send('refs/heads/trunk', 'reg-trunk');
    assert.equal(accepted.status, 202, accepted.text);
    assert.equal(accepted.json.status, 'accepted');
    assert.equal(accepted.json.project, 'reg');
    const runId = accepted.json.runId as number;
    const run = await waitFor('the run to finish', async () => {
      const r = await h.store.getRun(runId);
      return r && r.status !== 'running' && r.status !== 'queued' ? r : undefined;
    });
    assert.equal(run.status, 'success');
    assert.equal(run.pipeline, 'registered');
    assert.equal(run.commitSha, sha);
    assert.equal(run.branch, 'trunk');
    const logs = await h.store.readLogs(runId);
    assert.ok(logs.some((line) => line.text.includes('hello-from-registered')));
    assert.equal(git(join(home, '.slipway', 'projects', 'reg', 'repo'), 'rev-parse', `${sha}^{commit}`), sha);

    const duplicate = await send('refs/heads/trunk', 'reg-trunk');
    assert.equal(duplicate.status, 200);
    assert.equal(duplicate.json.status, 'duplicate');
    assert.equal(
      (await h.store.listRuns({ limit: 100 })).filter((r) => r.pipeline === 'registered').length,
      1,
    );
  });

  test('events and their stream filter by project: its runs, and the own project its deployments too', async () => {
    const home = await h.api('POST', '/api/v1/runs', { token: h.tokens.deployer, body: {} });
    assert.equal(home.status, 202, home.text);
    await waitFor('the home run', async () => {
      const run = await h.store.getRun(home.json.runId);
      return run?.status === 'success' ? run : undefined;
    });
    await h.store.appendEvent({ type: 'service.deployed', actor: 't', service: 'web', environment: 'prod' });
    const page = async (project: string) =>
      (await h.api('GET', `/api/v1/events?project=${project}&limit=500`, { token: h.tokens.viewer })).json
        .events as { runId: number | null; type: string }[];
    const registered = await page('registered');
    assert.ok(registered.length > 0);
    const registeredRuns = new Set(
      (await h.store.listRuns({ limit: 100 })).filter((r) => r.pipeline === 'registered').map((r) => r.id),
    );
    assert.ok(
      registered.every((e) => e.runId !== null && registeredRuns.has(e.runId)),
      JSON.stringify(registered),
    );
    const own = await page('home');
    assert.ok(own.some((e) => e.runId === home.json.runId));
    assert.ok(
      own.some((e) => e.runId === null && e.type === 'service.deployed'),
      'deployments are the own project',
    );
    assert.ok(own.every((e) => e.runId === null || !registeredRuns.has(e.runId)));
    assert.deepEqual(await page('nobody'), []);

    // The live stream: a new run of the home project reaches ?project=home, not ?project=registered.
    let againId: number | undefined;
    // Resolves only if an event of the new run reaches the other project's stream; times out otherwise.
    const other = readSse(
      `${h.url}/api/v1/events/stream?project=registered`,
      h.tokens.viewer,
      (e) => e.data.runId === againId,
      { timeoutMs: 5000 },
    ).catch(() => ({ events: [] }));
    const mine = readSse(
      `${h.url}/api/v1/events/stream?project=home`,
      h.tokens.viewer,
      (e) => e.event === 'pipelinerun.finished',
      { timeoutMs: 20_000 },
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    const again = await h.api('POST', '/api/v1/runs', { token: h.tokens.deployer, body: {} });
    assert.equal(again.status, 202);
    againId = again.json.runId;
    const seen = await mine;
    assert.ok(
      seen.events.every((e) => e.data.runId === again.json.runId),
      JSON.stringify(seen.events),
    );
    assert.ok(seen.events.length >= 2);
    const unseen = await other;
    assert.equal(
      (unseen.events as { data: { runId: number } }[]).filter((e) => e.data.runId === again.json.runId)
        .length,
      0,
    );
  });
});
