/** pause/resume by command, promote --full, --queue, synthetic journeys, warmup and inconclusive analysis. */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { fixtureConfig, ndjson, steadyLoad, type TestProject, testProject, urlOf } from './helpers.js';

/** One instance; analysis judges windows without traffic unless `analysis` says otherwise. */
function config(
  strategy: string,
  extra = '',
  analysis = 'minRequests: 0, failureLimit: 0, inconclusiveLimit: 100',
): string {
  return fixtureConfig({
    strategy,
    instances: 1,
    drain: '1s',
    extra,
    analysis: `interval: 300ms, ${analysis}`,
  });
}
const LONG_CANARY = `      canary:
        stages:
          - { traffic: 30, duration: 20s }
          - { traffic: 100 }
        metrics: [error_rate]`;

async function waitFor(
  project: TestProject,
  predicate: (rollout: Record<string, unknown>) => boolean,
): Promise<Record<string, unknown>> {
  let rollout: Record<string, unknown> = {};
  for (let i = 0; i < 150; i++) {
    const out = project.cli('--json', 'status', 'web', '--env', 'prod').stdout.trim();
    rollout = out ? ((JSON.parse(out) as { rollout?: Record<string, unknown> }).rollout ?? {}) : {};
    if (predicate(rollout)) return rollout;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`status never matched: ${JSON.stringify(rollout)}`);
}

describe('more control', { timeout: 300_000, concurrency: false }, () => {
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

  test('pause and resume from another terminal, then promote --full skips the 20 s stage', async () => {
    const { project, url } = setup(config(LONG_CANARY));
    project.edit('VERSION: v1', 'VERSION: v2');
    const running = project.start('deploy', 'web', '--env', 'prod');
    await waitFor(project, (r) => r.phase === 'running' && r.action === 'traffic');
    assert.equal(project.cli('pause', 'web', '--env', 'prod').status, 0);
    const paused = await waitFor(project, (r) => r.phase === 'paused');
    assert.equal(paused.reason, 'paused by request');
    assert.equal(project.cli('resume', 'web', '--env', 'prod').status, 0);
    await waitFor(project, (r) => r.phase === 'running');
    const started = Date.now();
    assert.equal(project.cli('promote', 'web', '--env', 'prod', '--full').status, 0);
    const done = await running.done;
    assert.equal(done.status, 0, done.stdout + done.stderr);
    assert.ok(Date.now() - started < 10_000, 'did not wait out the stage');
    assert.match(await (await fetch(`${url}/`)).text(), /^hello v2/);
  });

  test('--queue waits for the rollout in progress, then deploys', async () => {
    const { project, url } = setup(config(LONG_CANARY.replace('duration: 20s', 'duration: 2s')));
    project.edit('VERSION: v1', 'VERSION: v2');
    const first = project.start('deploy', 'web', '--env', 'prod');
    await waitFor(project, (r) => r.phase === 'running' && r.action === 'traffic');
    project.edit('VERSION: v2', 'VERSION: v3');
    const queued = await project.run('deploy', 'web', '--env', 'prod', '--queue');
    assert.equal((await first.done).status, 0);
    assert.equal(queued.status, 0, queued.stdout + queued.stderr);
    assert.match(await (await fetch(`${url}/`)).text(), /^hello v3/);
    const history = project.cli('history', 'web', '--env', 'prod').stdout;
    assert.equal(history.match(/completed/g)?.length, 3);
  });

  test('a failing synthetic journey rolls back; warmup requests reach the new revision first', async () => {
    const { project, url } = setup(
      config(
        LONG_CANARY.replace('duration: 20s', 'duration: 3s').replace('[error_rate]', '[]'),
        `    checks:
      warmup: [/warm]
      synthetic:
        - name: slow-page
          steps:
            - { path: /slow?ms=10, body: "^slow v1" }
`,
      ),
    );
    project.edit('VERSION: v1', 'VERSION: v2');
    const deploy = await project.run('--json', 'deploy', 'web', '--env', 'prod');
    assert.equal(deploy.status, 1, deploy.stdout + deploy.stderr);
    const events = ndjson(deploy.stdout);
    assert.ok(events.some((e) => e.type === 'rollout.step' && e.action === 'warmup'));
    const finished = events.find((e) => e.type === 'rollout.finished');
    assert.equal(finished?.status, 'rolled_back');
    assert.match(String(finished?.reason), /journey slow-page: GET \/slow\?ms=10: body does not match/);
    assert.match(await (await fetch(`${url}/`)).text(), /^hello v1/);
    const logs = project.cli('logs', 'web', '--env', 'prod').stdout;
    assert.ok(logs.length > 0);
  });

  test('too little traffic to judge pauses the rollout (inconclusive), and abort ends it', async () => {
    const { project, url } = setup(
      config(LONG_CANARY, '', 'minRequests: 3, failureLimit: 0, inconclusiveLimit: 1'),
    );
    project.edit('VERSION: v1', 'VERSION: v2');
    const running = project.start('deploy', 'web', '--env', 'prod');
    const paused = await waitFor(project, (r) => r.phase === 'paused');
    assert.match(
      String(paused.reason),
      /analysis inconclusive: \d+ request\(s\) in the window, fewer than the 3 needed/,
    );
    const load = steadyLoad(url, 1);
    assert.equal(project.cli('abort', 'web', '--env', 'prod').status, 0);
    const done = await running.done;
    const seen = await load.stop();
    assert.equal(done.status, 1);
    assert.match(done.stdout, /rollout aborted/);
    assert.equal(seen.failed, 0);
  });
});
