/**
 * Analysis against real processes, through the CLI under steady load: issue 12's short-stage canary
 * with a failing revision rolls back (fast, or by the rollout's one count when too few requests
 * fail for the fast rule), while a steady error rate under the threshold and a single blip do not.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import {
  FLAKY_APP,
  fixtureConfig,
  ndjson,
  steadyLoad,
  type TestProject,
  testProject,
  urlOf,
} from './helpers.js';

/** The canary of issue 12: two 2 s stages, then all traffic, judged every second. */
const SHORT_STAGES = fixtureConfig({
  strategy: `      canary:
        stages:
          - { traffic: 20, duration: 2s }
          - { traffic: 60, duration: 2s }
          - { traffic: 100 }
        metrics: [error_rate]
        autoRollback: true`,
  analysis: 'interval: 1s',
});

describe('analysis under load', { timeout: 300_000, concurrency: false }, () => {
  const projects: TestProject[] = [];
  after(async () => {
    for (const p of projects) await p.cleanup();
  });
  /** Deploys v1 of `yaml` and puts steady load on it. */
  const serving = async (yaml: string, app?: string) => {
    const project = testProject(yaml, app);
    projects.push(project);
    const first = project.cli('deploy', 'web', '--env', 'prod');
    assert.equal(first.status, 0, first.stderr + first.stdout);
    const url = urlOf(first.stdout);
    const load = steadyLoad(url);
    await new Promise((r) => setTimeout(r, 300));
    return { project, url, load };
  };
  const time = (event: Record<string, unknown> | undefined) => Date.parse(String(event?.time));

  test('issue 12: a revision failing every request is rolled back in the first stage, within a second; deploy exits 1', async () => {
    const { project, url, load } = await serving(SHORT_STAGES);
    project.edit('VERSION: v1 }', 'VERSION: v3, MODE: error }');

    const deploy = await project.run('--json', 'deploy', 'web', '--env', 'prod');
    const seen = await load.stop();

    assert.equal(deploy.status, 1, deploy.stderr + deploy.stdout);
    const events = ndjson(deploy.stdout);
    const finished = events.find((e) => e.type === 'rollout.finished');
    assert.equal(finished?.status, 'rolled_back');
    assert.equal(finished?.reason, 'error_rate 100% > 1%');
    const steps = events.filter((e) => e.type === 'rollout.step');
    assert.ok(!steps.some((e) => e.action === 'promote'), 'never promoted');
    // The fast rule, not the first 1 s interval, decided.
    const traffic = steps.find((e) => e.action === 'traffic');
    const rollback = events.find((e) => e.type === 'rollout.rollback');
    const decidedIn = time(rollback) - Number(rollback?.restoreMs) - time(traffic);
    assert.ok(decidedIn < 1000, `decided ${decidedIn} ms after the canary got traffic`);
    assert.match(await (await fetch(`${url}/`)).text(), /^hello v1/);
    assert.ok(seen.failed > 0, 'the load met the failing revision');
    assert.ok((seen.lastBadAt ?? 0) - (seen.firstBadAt ?? 0) < 1000, 'bad responses stopped within a second');
  });

  test('issue 12 with 5% of requests failing (below the fast rule): the count rolls it back before any promotion', async () => {
    const { project, url, load } = await serving(SHORT_STAGES, FLAKY_APP);
    project.edit('VERSION: v1 }', 'VERSION: v2, FAIL_EVERY: "20" }');

    const deploy = await project.run('--json', 'deploy', 'web', '--env', 'prod');
    await load.stop();

    assert.equal(deploy.status, 1, deploy.stderr + deploy.stdout);
    const events = ndjson(deploy.stdout);
    const finished = events.find((e) => e.type === 'rollout.finished');
    assert.equal(finished?.status, 'rolled_back');
    assert.match(String(finished?.reason), /^error_rate [\d.]+% > 1%$/);
    assert.ok(!events.some((e) => e.type === 'rollout.step' && e.action === 'promote'), 'never promoted');
    const failures = events.filter((e) => e.type === 'analysis.measurement' && e.verdict === 'failure');
    assert.ok(failures.length >= 2, `${failures.length} failed measurements`);
    assert.match(await (await fetch(`${url}/`)).text(), /^hello v1/);
  });

  test('a steady 0.5% error rate under the 1% threshold completes the short-stage canary with no failed measurement', async () => {
    const { project, load } = await serving(SHORT_STAGES, FLAKY_APP);
    project.edit('VERSION: v1 }', 'VERSION: v2, FAIL_EVERY: "200" }');

    const deploy = await project.run('--json', 'deploy', 'web', '--env', 'prod');
    const seen = await load.stop();

    const events = ndjson(deploy.stdout);
    const measured = events.filter((e) => e.type === 'analysis.measurement');
    const summary = measured.map((e) => `${e.step}:${e.verdict}:${e.value}`).join(' ');
    assert.equal(deploy.status, 0, `${deploy.stderr}${deploy.stdout}`);
    assert.equal(events.find((e) => e.type === 'rollout.finished')?.status, 'completed', summary);
    assert.ok(seen.failed > 0, 'the canary did fail some requests');
    assert.ok(measured.length >= 2, `both stages were measured: ${summary}`);
    assert.ok(!measured.some((e) => e.verdict === 'failure'), `no measurement failed: ${summary}`);
  });

  test('a single blip (6.7% of requests failing for 400 ms) completes with failureLimit 1; a 300 ms stage is measured', async () => {
    const { project, load } = await serving(
      fixtureConfig({
        strategy: `      canary:
        stages:
          - { traffic: 25, duration: 300ms }
          - { traffic: 50, duration: 4s }
          - { traffic: 100 }
        metrics: [error_rate]`,
        analysis: 'interval: 1s, failureLimit: 1, inconclusiveLimit: 20',
      }),
      FLAKY_APP,
    );
    project.edit('VERSION: v1 }', 'VERSION: v2, BLIP_AFTER_MS: "2500", BLIP_MS: "400", BLIP_EVERY: "15" }');

    const deploy = await project.run('--json', 'deploy', 'web', '--env', 'prod');
    const seen = await load.stop();

    const events = ndjson(deploy.stdout);
    const measured = events.filter((e) => e.type === 'analysis.measurement');
    const summary = measured.map((e) => `${e.step}:${e.verdict}:${e.value}`).join(' ');
    assert.equal(deploy.status, 0, `${deploy.stderr}${deploy.stdout}`);
    assert.equal(events.find((e) => e.type === 'rollout.finished')?.status, 'completed', summary);
    assert.ok(seen.failed > 0, 'the blip happened');
    assert.ok((seen.lastBadAt ?? 0) - (seen.firstBadAt ?? 0) < 1000, 'and was shorter than an interval');
    assert.ok(
      measured.some((e) => e.verdict === 'failure'),
      `analysis saw the blip as a failed interval and tolerated it: ${summary}`,
    );
    // Every analysed stage, the 300 ms one included, measured at least once.
    const analysed = events
      .filter((e) => e.type === 'rollout.step' && e.action === 'traffic')
      .map((e) => e.step);
    assert.equal(analysed.length, 2);
    for (const step of analysed)
      assert.ok(
        measured.some((e) => e.step === step),
        `stage at step ${step} was not measured: ${summary}`,
      );
  });
});
