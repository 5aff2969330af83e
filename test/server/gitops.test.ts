// The server's reconcile loop against a real git repository: a first pass at start deploys the
// desired state through the local agent, and a signed push webhook for the watched branch starts a
// pass at once that rolls the pushed commit out.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { main } from '../../src/cli/main.js';
import { setSuspended } from '../../src/gitops/gitops-state.js';
import { LocalPlatform } from '../../src/platform/local/local-platform.js';
import { captureIo } from '../helpers/capture-io.js';
import { CHROMIUM, skipWithout } from '../helpers/outside-program.js';
import { fixtureConfig } from '../rollout/helpers.js';
import { dashboardPage, launchChromium } from './helpers/dashboard-page.js';
import { type Harness, sendPush, startServer, tempProject, waitFor } from './helpers/server-harness.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'slipway.js');
const FIXTURE_APP = join(ROOT, 'test', 'platform', 'fixtures', 'app');
const SECRET = 'gitops-hook-secret';
const STRATEGY = '      blueGreen: { switchover: instant, scaleDownDelay: 0s }';

describe('gitops in slipway server', { timeout: 120_000 }, () => {
  let h: Harness;
  let repo: string;
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=Dev', '-c', 'user.email=dev@example.com', ...args], {
      cwd: repo,
      encoding: 'utf8',
    }).trim();
  const commit = (yaml: string, message: string) => {
    writeFileSync(join(repo, 'deploy', 'slipway.yaml'), yaml);
    git('add', '-A');
    git('commit', '--quiet', '-m', message);
    return git('rev-parse', 'HEAD');
  };
  /** A signed push webhook of `sha` to main, as GitHub sends it. */
  const push = (sha: string, delivery: string) =>
    sendPush(h, SECRET, {
      ref: 'refs/heads/main',
      after: sha,
      repository: { full_name: 'acme/desired', clone_url: `file://${repo}` },
      pusher: 'alice',
      delivery,
    });
  const synced = async (sha: string) =>
    (await h.store.listEvents({ types: ['gitops.synced'] })).find((e) => e.commitSha === sha);

  before(async () => {
    const projectDir = await tempProject(
      'version: 1\ngitops:\n  repository: { url: desired, branch: main, path: deploy }\n  sync: { interval: 10m }\n',
    );
    repo = join(projectDir, 'desired');
    mkdirSync(join(repo, 'deploy'), { recursive: true });
    cpSync(FIXTURE_APP, join(repo, 'deploy', 'app'), { recursive: true });
    execFileSync('git', ['init', '--quiet', '--initial-branch=main', repo]);
    commit(fixtureConfig({ strategy: STRATEGY, instances: 1 }), 'web v1');
    h = await startServer(projectDir, undefined, {
      platform: new LocalPlatform({
        stateDir: join(projectDir, '.slipway'),
        agentCommand: [process.execPath, BIN],
      }),
      webhookSecret: SECRET,
    });
  });
  after(async () => {
    if (!h) return;
    const dir = h.projectDir;
    await h.server.close();
    spawnSync(process.execPath, [BIN, 'agent', 'stop'], { cwd: dir, timeout: 60_000 });
    await h.close();
  });

  test('the first pass at start deploys the branch head', async () => {
    const head = git('rev-parse', 'HEAD');
    const event = await waitFor('the first sync', () => synced(head), 60_000);
    assert.equal(event.service, 'web');
    assert.equal(event.environment, 'prod');
    assert.equal(event.data.subject, 'web v1');
  });

  test('a push webhook for the watched branch rolls the pushed commit out at once', async () => {
    const sha = commit(fixtureConfig({ strategy: STRATEGY, instances: 1, version: 'v2' }), 'web v2');
    const pushedAt = Date.now();
    const answer = await push(sha, 'gitops-1');
    assert.equal(answer.status, 202, answer.text);
    assert.equal(answer.json.status, 'accepted');
    assert.match(answer.json.reason, /gitops/);
    const rollout = await waitFor(
      'the rollout of the pushed commit',
      async () => {
        const [latest] = await h.store.listRollouts({ service: 'web', environment: 'prod', limit: 1 });
        return latest?.commitSha === sha ? latest : undefined;
      },
      30_000,
    ).catch((error: unknown) => {
      throw new Error(`${String(error)}; server log: ${h.logs.join(' | ')}`);
    });
    assert.ok(
      rollout.startedAt - pushedAt < 5_000,
      `the rollout started ${rollout.startedAt - pushedAt} ms after the push`,
    );
    await waitFor('the sync of the pushed commit', () => synced(sha), 60_000);
    const again = await push(sha, 'gitops-1');
    assert.equal(again.json.status, 'duplicate');
  });

  test('the API shows the latest pass, starts one on demand, lists the history', async () => {
    const viewer = { token: h.tokens.viewer };
    const state = await waitFor('a pass at the head', async () => {
      const answer = await h.api('GET', '/api/v1/gitops', viewer);
      assert.equal(answer.status, 200, answer.text);
      return answer.json.lastPass?.commit?.commit === git('rev-parse', 'HEAD') ? answer.json : undefined;
    });
    assert.equal(state.configured, true);
    assert.deepEqual(state.repository, { url: 'desired', branch: 'main', path: 'deploy' });
    assert.deepEqual(
      state.lastPass.apps.map((a: { service: string; sync: string; health: string }) => [
        a.service,
        a.sync,
        a.health,
      ]),
      [['web', 'Synced', 'Healthy']],
    );
    assert.equal((await h.api('POST', '/api/v1/gitops/sync', { ...viewer, body: {} })).status, 403);
    const started = await h.api('POST', '/api/v1/gitops/sync', {
      token: h.tokens.deployer,
      body: { force: true },
    });
    assert.equal(started.status, 202, started.text);
    await waitFor('the pass the API started', async () => {
      const answer = await h.api('GET', '/api/v1/gitops', viewer);
      return answer.json.lastPass?.reason === 'api' ? true : undefined;
    });
    const history = await h.api('GET', '/api/v1/gitops/history?limit=5', viewer);
    assert.equal(history.status, 200);
    assert.ok(history.json.events.length >= 2);
    assert.equal(history.json.events[0].type, 'gitops.synced');
  });

  test('the CLI with --server shows the latest pass, its history, and suspends and resumes', async () => {
    const as = async (role: 'viewer' | 'deployer', ...argv: string[]) => {
      const io = captureIo(h.projectDir, {
        PATH: process.env.PATH,
        NO_COLOR: '1',
        SLIPWAY_TOKEN: h.tokens[role],
      });
      const code = await main(['--server', h.url, ...argv], io);
      return { code, out: io.out(), err: io.err() };
    };
    const status = await as('viewer', 'gitops', 'status');
    assert.equal(status.code, 0, status.err);
    assert.match(status.out, /the server's latest pass: .* \((start|push [0-9a-f]{12}|api)\)/);
    assert.match(status.out, /web@prod +Synced +Healthy +r-[0-9a-f]{12}/);
    assert.equal((await as('viewer', 'gitops', 'diff')).code, 0, 'in sync');
    const history = await as('viewer', 'gitops', 'history', '--limit', '1');
    assert.equal(history.out.trim().split('\n').length, 1, history.out);
    assert.match(history.out, /synced +web@prod/);
    assert.equal((await as('viewer', 'gitops', 'suspend')).code, 1, 'a viewer may not suspend');
    assert.match((await as('deployer', 'gitops', 'suspend', '--reason', 'audit')).out, /are suspended/);
    assert.match((await as('viewer', 'gitops', 'status')).out, /suspended by deployer-token: audit/);
    assert.match((await as('deployer', 'gitops', 'resume')).out, /are running/);
    const sync = await as('deployer', 'gitops', 'sync');
    assert.equal(sync.code, 0, sync.err);
    assert.match(sync.out, /the server started a reconcile pass/);
  });

  test('the dashboard shows each service with its sync and health, and the commit', {
    skip: skipWithout(CHROMIUM),
  }, async () => {
    const browser = await launchChromium();
    try {
      const { page, errors } = await dashboardPage(browser, h.url, h.tokens.deployer, '#/gitops');
      await page.waitForSelector('tr[data-app="web@prod"][data-sync="Synced"][data-health="Healthy"]', {
        timeout: 15_000,
      });
      assert.match((await page.textContent('#gitops-commit')) ?? '', /web v2/);
      assert.ok(await page.isVisible('#gitops-sync'), 'a deployer has the sync button');
      assert.match((await page.textContent('#gitops-history')) ?? '', /synced/);
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
    }
  });

  test('suspended, a push starts a pass that changes nothing; resumed, the next one applies it', async () => {
    const suspend = await h.api('POST', '/api/v1/gitops/suspend', {
      token: h.tokens.deployer,
      body: { reason: 'freeze' },
    });
    assert.deepEqual(suspend.json, { suspended: true, changed: true });
    const sha = commit(fixtureConfig({ strategy: STRATEGY, instances: 1, version: 'v3' }), 'web v3');
    assert.equal((await push(sha, 'gitops-2')).status, 202);
    const short = sha.slice(0, 12);
    await waitFor('the suspended pass', async () =>
      h.logs.find((line) => line.includes(`at ${short}: suspended, 1 out of sync, nothing changed`)),
    );
    const [latest] = await h.store.listRollouts({ service: 'web', environment: 'prod', limit: 1 });
    assert.notEqual(latest?.commitSha, sha, 'no rollout while suspended');
    const shown = await h.api('GET', '/api/v1/gitops', { token: h.tokens.viewer });
    assert.equal(shown.json.suspended.reason, 'freeze');
    assert.equal(await setSuspended(h.store, false, 'alice'), true);
    assert.equal((await push(sha, 'gitops-3')).status, 202);
    await waitFor('the sync after resuming', () => synced(sha), 60_000);
  });

  test('a sync that fails leaves the service Degraded: recorded once as gitops.degraded', async () => {
    const sha = commit(
      fixtureConfig({ strategy: STRATEGY, instances: 1, version: 'v9, MODE: exit' }),
      'web v9 (broken)',
    );
    const answer = await push(sha, 'gitops-broken');
    assert.equal(answer.status, 202, answer.text);
    const degraded = await waitFor(
      'the degraded event',
      async () => (await h.store.listEvents({ types: ['gitops.degraded'], commitSha: sha }))[0],
      60_000,
    );
    assert.equal(degraded.service, 'web');
    const failed = await h.store.listEvents({ types: ['gitops.failed'], commitSha: sha });
    assert.equal(failed.length, 1, 'the sync failed once and is not retried for the same commit');
    // A pass on demand finds it still Degraded, and records nothing new.
    await h.api('POST', '/api/v1/gitops/sync', { token: h.tokens.deployer, body: {} });
    await waitFor('the next pass', async () => {
      const state = await h.api('GET', '/api/v1/gitops', { token: h.tokens.viewer });
      return state.json.lastPass?.reason === 'api' && state.json.lastPass.at > degraded.time
        ? true
        : undefined;
    });
    assert.equal((await h.store.listEvents({ types: ['gitops.degraded'], commitSha: sha })).length, 1);
  });

  test('a sync into a gated environment waits for an approver; the approval starts it within seconds', async () => {
    const gated =
      'pipeline:\n  stages:\n    - name: deploy\n      environments:\n        - prod: { approval: manual_approval }\n';
    const sha = commit(
      fixtureConfig({ strategy: STRATEGY, instances: 1, version: 'v10', extra: gated }),
      'web v10 (gated)',
    );
    assert.equal((await push(sha, 'gitops-gated')).status, 202);
    const requested = await waitFor(
      'the approval request',
      async () => (await h.store.listEvents({ types: ['approval.requested'], commitSha: sha }))[0],
      30_000,
    );
    const run = requested.runId ?? 0;
    const path = `/api/v1/runs/${run}/approvals/prod/approve`;
    const denied = await h.api('POST', path, { token: h.tokens.deployer, body: {} });
    assert.equal(denied.status, 403, 'a gitops gate needs the approver role');
    assert.equal(
      (await h.store.listRollouts({ service: 'web', environment: 'prod', limit: 1 }))[0]?.commitSha === sha,
      false,
    );
    const approvedAt = Date.now();
    const approved = await h.api('POST', path, { token: h.tokens.approver, body: {} });
    assert.equal(approved.status, 200, approved.text);
    const rollout = await waitFor(
      'the rollout after the approval',
      async () => {
        const [latest] = await h.store.listRollouts({ service: 'web', environment: 'prod', limit: 1 });
        return latest?.commitSha === sha ? latest : undefined;
      },
      30_000,
    );
    assert.ok(
      rollout.startedAt - approvedAt < 5_000,
      `started ${rollout.startedAt - approvedAt} ms after the approval`,
    );
    await waitFor('the sync of the approved commit', () => synced(sha), 60_000);
    assert.equal((await h.store.getRun(run))?.status, 'success');
  });
});
