/** Automatic rollback, abort, pause and promote, manual rollback, hooks and smoke checks, one rollout at a time. */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { fixtureConfig, ndjson, steadyLoad, type TestProject, testProject, urlOf } from './helpers.js';

function config(strategy: string, extra = ''): string {
  return fixtureConfig({ strategy, extra });
}

const CANARY = `      canary:
        stages:
          - { traffic: 50, duration: 3s }
          - { traffic: 100 }
        metrics: [error_rate]`;

describe('rollback and control', { timeout: 300_000, concurrency: false }, () => {
  const projects: TestProject[] = [];
  after(async () => {
    for (const p of projects) await p.cleanup();
  });
  const setup = (text: string) => {
    const project = testProject(text);
    projects.push(project);
    const first = project.cli('deploy', 'web', '--env', 'prod');
    assert.equal(first.status, 0, first.stderr + first.stdout);
    return { project, url: urlOf(first.stdout) };
  };

  test('a revision answering 500s rolls itself back: exit 1, reason with value and threshold, v1 serves', async () => {
    const { project, url } = setup(config(CANARY));
    const load = steadyLoad(url);
    await new Promise((r) => setTimeout(r, 200));
    project.edit('VERSION: v1 }', 'VERSION: v3, MODE: error }');
    const deploy = await project.run('--json', 'deploy', 'web', '--env', 'prod');
    const seen = await load.stop();
    assert.equal(deploy.status, 1, deploy.stderr + deploy.stdout);
    const events = ndjson(deploy.stdout);
    const finished = events.find((e) => e.type === 'rollout.finished');
    assert.equal(finished?.status, 'rolled_back');
    assert.match(String(finished?.reason), /error_rate 100% > 1%/);
    const rollback = events.find((e) => e.type === 'rollout.rollback');
    assert.ok(Number(rollback?.restoreMs) < 100, `restored in ${rollback?.restoreMs} ms`);
    assert.match(await (await fetch(`${url}/`)).text(), /^hello v1/);
    assert.ok(seen.failed > 0 && seen.ok > seen.failed, JSON.stringify(seen.statuses));
    // Bad responses stop within a few analysis intervals of the first one.
    assert.ok((seen.lastBadAt ?? 0) - (seen.firstBadAt ?? 0) < 1500, 'bad responses stopped quickly');
    const history = project.cli('history', 'web', '--env', 'prod');
    assert.match(history.stdout, /rolled_back\s+by tester .*error_rate 100% > 1%/);
    const types = project.cli('--json', 'events', '--type', 'service.rolledback').stdout;
    assert.match(types, /"reason":"error_rate 100% > 1%"/);
  });

  test('pause: true waits for promote from another terminal; a second deploy is refused meanwhile', async () => {
    const { project, url } = setup(
      config(`      canary:
        stages:
          - { traffic: 25, pause: true }
          - { traffic: 100 }
        metrics: [error_rate]`),
    );
    project.edit('VERSION: v1', 'VERSION: v2');
    const running = project.start('deploy', 'web', '--env', 'prod');
    let status: { rollout?: { phase: string } } = {};
    for (let i = 0; i < 100 && status.rollout?.phase !== 'paused'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      const out = project.cli('--json', 'status', 'web', '--env', 'prod').stdout;
      if (out.trim()) status = JSON.parse(out);
    }
    assert.equal(status.rollout?.phase, 'paused');
    const second = project.cli('deploy', 'web', '--env', 'prod');
    assert.equal(second.status, 2);
    assert.match(second.stderr, /already has a rollout in progress in prod .*--queue/);
    const canary = await fetch(`${url}/`, { headers: { 'x-slipway-revision': 'canary' } });
    assert.match(await canary.text(), /^hello v2/, 'the canary is reachable by header');
    const promote = project.cli('promote', 'web', '--env', 'prod');
    assert.equal(promote.status, 0, promote.stderr);
    const done = await running.done;
    assert.equal(done.status, 0, done.stderr + done.stdout);
    assert.match(done.stdout, /rollout completed/);
    assert.match(await (await fetch(`${url}/`)).text(), /^hello v2/);
  });

  test('abort during a stage: traffic returns to stable, exit 1; rollback goes back a revision', async () => {
    const { project, url } = setup(config(CANARY));
    project.edit('VERSION: v1', 'VERSION: v2');
    const v2 = project.cli('deploy', 'web', '--env', 'prod');
    assert.equal(v2.status, 0, v2.stderr + v2.stdout);
    project.edit('VERSION: v2', 'VERSION: v3');
    const running = project.start('deploy', 'web', '--env', 'prod');
    for (let i = 0; i < 100; i++) {
      await new Promise((r) => setTimeout(r, 100));
      const out = project.cli('--json', 'status', 'web', '--env', 'prod').stdout;
      const rollout = out.trim()
        ? (JSON.parse(out) as { rollout?: { action: string; step: number; phase: string } }).rollout
        : undefined;
      if (rollout?.phase === 'running' && rollout.action === 'traffic' && rollout.step > 0) break;
    }
    const abort = project.cli('abort', 'web', '--env', 'prod');
    assert.equal(abort.status, 0, abort.stderr);
    const done = await running.done;
    assert.equal(done.status, 1);
    assert.match(done.stdout, /rollout aborted: aborted by request/);
    assert.match(await (await fetch(`${url}/`)).text(), /^hello v2/);
    const back = project.cli('rollback', 'web', '--env', 'prod');
    assert.equal(back.status, 0, back.stderr + back.stdout);
    assert.match(await (await fetch(`${url}/`)).text(), /^hello v1/);
    const none = project.cli('promote', 'web', '--env', 'prod');
    assert.equal(none.status, 2);
    assert.match(none.stderr, /no rollout in progress/);
  });

  test('a failing preDeploy hook aborts before traffic moves; a failing smoke check rolls back before traffic', async () => {
    const { project, url } = setup(config(CANARY));
    project.edit('VERSION: v1', 'VERSION: v2');
    project.write(`${project.read()}    hooks: { preDeploy: "sh -c 'echo migration failed >&2; exit 4'" }\n`);
    const hooked = project.cli('deploy', 'web', '--env', 'prod');
    assert.equal(hooked.status, 1, hooked.stderr + hooked.stdout);
    assert.match(hooked.stdout, /rollout aborted: preDeploy hook failed: .* exited with 4: migration failed/);
    assert.match(await (await fetch(`${url}/`)).text(), /^hello v1/);
    project.edit(
      / {4}hooks: .*\n/,
      `    checks: { smoke: [ { http: { path: /healthz, body: "never-matches" } } ] }\n`,
    );
    const smoked = project.cli('deploy', 'web', '--env', 'prod');
    assert.equal(smoked.status, 1, smoked.stdout);
    assert.match(smoked.stdout, /smoke check failed: GET \/healthz: body does not match/);
    assert.match(await (await fetch(`${url}/`)).text(), /^hello v1/);
  });
});
