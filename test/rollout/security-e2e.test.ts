/**
 * `checks.security` end to end, through the CLI, a real agent and its router: a revision that
 * serves its git checkout (`/.git/config` answers 200) is rolled back before it takes traffic,
 * with the old revision still serving and the reason naming the path; a clean revision passes the
 * check before traffic and the one after promotion.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fixtureConfig, ndjson, type TestProject, testProject } from './helpers.js';

const SECURE_APP = join(import.meta.dirname, 'fixtures', 'secure-app');

const CONFIG = fixtureConfig({
  strategy: `      canary:
        stages:
          - { traffic: 50, duration: 300ms }
          - { traffic: 100 }
        metrics: [error_rate]`,
  extra: `    checks:
      security: {}`,
});

describe('security checks in a rollout', { timeout: 300_000, concurrency: false }, () => {
  const projects: TestProject[] = [];
  after(async () => {
    for (const p of projects) await p.cleanup();
  });
  const setup = () => {
    const project = testProject(CONFIG, SECURE_APP);
    projects.push(project);
    const first = project.cli('--json', 'deploy', 'web', '--env', 'prod');
    assert.equal(first.status, 0, first.stderr + first.stdout);
    const steps = ndjson(first.stdout).flatMap((e) => (e.type === 'rollout.step' ? [e.action] : []));
    assert.deepEqual(steps, ['scaleUp', 'securityCheck', 'promote', 'securityVerify']);
    const status = ndjson(project.cli('--json', 'status', 'web', '--env', 'prod').stdout)[0];
    const url = String(status?.url);
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
    return { project, url };
  };

  test('a revision that leaks /.git/config is rolled back before traffic; the old one still serves', async () => {
    const { project, url } = setup();
    project.edit('VERSION: v1 }', 'VERSION: v2, LEAK: git }');
    const plan = project.cli('plan', 'web', '--env', 'prod');
    assert.match(
      plan.stdout,
      /securityCheck[\s\S]*traffic[\s\S]*promote[\s\S]*securityVerify[\s\S]*scaleDown/,
    );

    const deploy = project.cli('--json', 'deploy', 'web', '--env', 'prod');

    assert.equal(deploy.status, 1, deploy.stderr + deploy.stdout);
    const events = ndjson(deploy.stdout);
    const finished = events.find((e) => e.type === 'rollout.finished');
    assert.equal(finished?.status, 'rolled_back');
    assert.match(
      String(finished?.reason),
      /^security check before traffic failed: GET \/\.git\/config answered 200: a forbidden path is served \(forbiddenPaths\); GET \/\.git\/HEAD answered 200/,
    );
    const measured = events.filter((e) => e.type === 'analysis.measurement');
    assert.deepEqual(
      measured.map((e) => [e.metric, e.verdict]),
      [['security', 'failure']],
    );
    // It never had traffic: no step after the check ran.
    const steps = events.flatMap((e) => (e.type === 'rollout.step' ? [e.action] : []));
    assert.deepEqual(steps, ['scaleUp', 'securityCheck']);
    assert.match(await (await fetch(`${url}/`)).text(), /hello v1/);
    assert.equal((await fetch(`${url}/.git/config`)).status, 404);
    const status = project.cli('status', 'web', '--env', 'prod');
    assert.match(
      status.stdout,
      /rolled_back, step 2\/\d+ - security check before traffic failed: GET \/\.git\/config/,
    );
    assert.match(
      status.stdout,
      /failure: 2 security problems before traffic at http:\/\/127\.0\.0\.1:\d+: GET \/\.git\/config/,
    );
    const rolledBack = project.cli('--json', 'events', '--type', 'service.rolledback').stdout;
    assert.match(
      rolledBack,
      /"reason":"security check before traffic failed: GET \/.git\/config answered 200/,
    );
  });

  test('a clean revision passes the check before traffic and the one after promotion', async () => {
    const { project, url } = setup();
    project.edit('VERSION: v1 }', 'VERSION: v3 }');

    const deploy = project.cli('--json', 'deploy', 'web', '--env', 'prod');

    assert.equal(deploy.status, 0, deploy.stderr + deploy.stdout);
    const events = ndjson(deploy.stdout);
    assert.equal(events.find((e) => e.type === 'rollout.finished')?.status, 'completed');
    const steps = events.flatMap((e) => (e.type === 'rollout.step' ? [e.action] : []));
    assert.deepEqual(steps, [
      'scaleUp',
      'securityCheck',
      'traffic',
      'promote',
      'securityVerify',
      'scaleDown',
    ]);
    const security = events.filter((e) => e.type === 'analysis.measurement' && e.metric === 'security');
    assert.deepEqual(
      security.map((e) => [
        e.verdict,
        /^security checks (before traffic|after promotion) at http:\/\/127\.0\.0\.1:\d+ passed/.exec(
          String(e.message),
        )?.[1],
      ]),
      [
        ['success', 'before traffic'],
        ['success', 'after promotion'],
      ],
    );
    assert.match(await (await fetch(`${url}/`)).text(), /hello v3/);
  });
});
