// `slipway metrics` over real deploys: a project in a real git repository deploys with the local
// agent, rolls back on analysis, is rolled back by hand and has an incident opened and closed;
// the figures come from what those commands recorded.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, test } from 'node:test';
import { fixtureConfig, steadyLoad, type TestProject, testProject, urlOf } from '../rollout/helpers.js';

const CANARY = `      canary:
        stages:
          - { traffic: 50, duration: 2s }
          - { traffic: 100 }
        metrics: [error_rate]`;
const HOUR = 3_600_000;
const BIN = resolve(import.meta.dirname, '..', '..', 'bin', 'slipway.js');

interface Metrics {
  window: { from: string; to: string };
  deployment_frequency: { deploys: number; per_week: number; band: string };
  lead_time: { median_hours: number | null; band: string | null };
  change_failure_rate: { failed: number; deploys: number; rate: number | null; band: string | null };
  time_to_restore: { median_hours: number | null; band: string | null };
  rollback_rate: number | null;
  deploy_success_rate: number | null;
  pipeline: { p50_minutes: number | null; p95_minutes: number | null; budget_minutes: number };
  time_to_production: { mean_hours: number | null };
  zero_downtime: { rollouts: number; clean: number; share: number | null };
  rollback_time: { median_seconds: number | null; max_seconds: number | null };
  slo: { name: string; target: number; value: number | null; met: boolean | null }[];
}

/** Commits everything in the project, dated `hoursAgo` back, and returns the commit's SHA. */
function commit(project: TestProject, message: string, hoursAgo: number): string {
  const date = `${Math.round((Date.now() - hoursAgo * HOUR) / 1000)} +0000`;
  const env = {
    ...process.env,
    GIT_AUTHOR_DATE: date,
    GIT_COMMITTER_DATE: date,
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_CONFIG_NOSYSTEM: '1',
  };
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=Dev', '-c', 'user.email=dev@example.com', ...args], {
      cwd: project.dir,
      env,
      encoding: 'utf8',
    }).trim();
  git('add', '-A');
  git('commit', '-q', '-m', message);
  return git('rev-parse', 'HEAD');
}

describe('slipway metrics from real deploys, rollbacks and incidents', { timeout: 240_000 }, () => {
  let project: TestProject;
  after(async () => {
    await project?.cleanup();
  });

  test('deploys, an automatic and a manual rollback and an incident give the figures', async () => {
    project = testProject(fixtureConfig({ strategy: CANARY }));
    writeFileSync(join(project.dir, '.gitignore'), '.slipway/\n');
    execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: project.dir });
    commit(project, 'feat: first', 3);
    const first = project.cli('deploy', 'web', '--env', 'prod');
    assert.equal(first.status, 0, first.stderr + first.stdout);
    const url = urlOf(first.stdout);

    // A second deploy under load: two commits, an hour and two hours old.
    project.edit('VERSION: v1', 'VERSION: v2');
    commit(project, 'feat: second', 2);
    writeFileSync(join(project.dir, 'NOTES'), 'more\n');
    commit(project, 'docs: notes', 1);
    let load = steadyLoad(url);
    const second = await project.run('deploy', 'web', '--env', 'prod');
    const seen = await load.stop();
    assert.equal(second.status, 0, second.stderr + second.stdout);
    assert.equal(seen.failed, 0, JSON.stringify(seen.statuses));

    // A revision that answers 500s rolls itself back: its own answers are not downtime.
    project.edit('VERSION: v2 }', 'VERSION: v3, MODE: error }');
    commit(project, 'fix: breaks everything', 0.5);
    load = steadyLoad(url);
    const third = await project.run('deploy', 'web', '--env', 'prod');
    await load.stop();
    assert.equal(third.status, 1, third.stderr + third.stdout);

    // `slipway rollback` back to v1: deploy 2 failed too. Then an incident, opened and closed.
    const back = project.cli('rollback', 'web', '--env', 'prod');
    assert.equal(back.status, 0, back.stderr + back.stdout);
    const opened = project.cli(
      '--json',
      'incident',
      'open',
      '--service',
      'web',
      '--env',
      'prod',
      '--title',
      'checkout down',
    );
    assert.equal(opened.status, 0, opened.stderr);
    const incident = JSON.parse(opened.stdout) as { id: number; resolvedAt: number | null; title: string };
    assert.equal(incident.title, 'checkout down');
    assert.equal(incident.resolvedAt, null);
    const closed = project.cli('incident', 'close', String(incident.id));
    assert.equal(closed.status, 0, closed.stderr);
    assert.match(closed.stdout, new RegExp(`incident ${incident.id} .*web/prod .*closed .*checkout down`));
    const again = project.cli('incident', 'close', String(incident.id));
    assert.equal(again.status, 2);
    assert.match(again.stderr, new RegExp(`incident ${incident.id} was closed already`));
    const unknown = project.cli('incident', 'close', '9999');
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /no incident 9999/);

    const run = project.cli('--json', 'metrics', '--env', 'prod');
    assert.equal(run.status, 0, run.stderr);
    const m = JSON.parse(run.stdout) as Metrics;
    assert.equal(m.deployment_frequency.deploys, 2, 'two deploys completed');
    // Deploy 1 brought its own commit (3 h old), deploy 2 two commits (2 h and 1 h): median 2 h, mean 2 h.
    assert.ok(Math.abs((m.lead_time.median_hours ?? 0) - 2) < 0.1, `lead time ${m.lead_time.median_hours}`);
    assert.equal(m.lead_time.band, 'one day');
    assert.ok(Math.abs((m.time_to_production.mean_hours ?? 0) - 2) < 0.1);
    // Three attempts: the rolled-back one, and deploy 2 that the manual rollback and the incident followed.
    assert.deepEqual(m.change_failure_rate, { failed: 2, deploys: 3, rate: 0.6667, band: '46-60%' });
    assert.equal(m.rollback_rate, 0.6667);
    assert.equal(m.deploy_success_rate, 0.6667);
    assert.equal(m.time_to_restore.band, 'one day');
    assert.ok((m.time_to_restore.median_hours ?? 1) < 0.05);
    // Every rollout was measured by the router and none failed a request that was not the new revision's own answer.
    assert.equal(m.zero_downtime.rollouts, 3, JSON.stringify(m.zero_downtime));
    assert.equal(m.zero_downtime.clean, 3);
    assert.ok((m.rollback_time.max_seconds ?? 99) < 30, JSON.stringify(m.rollback_time));
    assert.deepEqual(
      m.slo.map((s) => [s.name, s.met]),
      [
        ['zero_downtime', true],
        ['deploy_success_rate', false],
        ['rollback_time', true],
        ['pipeline_duration', null],
        ['time_to_production', false],
      ],
    );

    const text = project.cli('metrics', '--env', 'prod', '--service', 'web');
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, /Delivery of web in prod/);
    assert.match(text.stdout, /change failure rate\s+2 of 3 deploys failed \(66\.67%\)\s+\[46-60%\]/);
    assert.match(text.stdout, /missed\s+deploy success rate\s+66\.67% \(target > 99%\)/);
    // The default environment is production, where nothing was deployed.
    const production = JSON.parse(project.cli('--json', 'metrics').stdout) as Metrics;
    assert.equal(production.change_failure_rate.deploys, 0);
    const bad = project.cli('metrics', '--since', 'yesterday');
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--since takes a date .* got 'yesterday'/);

    // The same history exported as CDEvents and imported into an empty project gives the same figures.
    const until = new Date(Date.now() + 60_000).toISOString();
    const window = ['--since', '1d', '--until', until];
    const exported = project.cli('events', 'export', ...window);
    assert.equal(exported.status, 0, exported.stderr);
    const copy = mkdtempSync(join(tmpdir(), 'slipway-metrics-copy-'));
    try {
      writeFileSync(join(copy, 'history.ndjson'), exported.stdout);
      const env = { ...process.env, NO_COLOR: '1' };
      const inCopy = (...args: string[]) =>
        spawnSync(process.execPath, [BIN, ...args], { cwd: copy, env, encoding: 'utf8', timeout: 60_000 });
      const imported = inCopy('events', 'import', 'history.ndjson');
      assert.equal(imported.status, 0, imported.stderr);
      assert.match(imported.stdout, /imported \d+ events/);
      const live = JSON.parse(project.cli('--json', 'metrics', '--env', 'prod', ...window).stdout) as Metrics;
      const fromImport = JSON.parse(
        inCopy('--json', 'metrics', '--env', 'prod', ...window).stdout,
      ) as Metrics;
      assert.deepEqual(fromImport, live);
      assert.equal(live.change_failure_rate.deploys, 3);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });
});
