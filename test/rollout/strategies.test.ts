/** Each strategy takes the fixture app from v1 to v2 under steady load with no failed request. */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { fixtureConfig, ndjson, steadyLoad, type TestProject, testProject, urlOf } from './helpers.js';

function config(strategy: string, extra = ''): string {
  return fixtureConfig({ strategy, instances: 3, extra });
}

const STRATEGIES: Record<string, string> = {
  canary: `      canary:
        stages:
          - { traffic: 10, duration: 900ms }
          - { traffic: 50, duration: 900ms }
          - { traffic: 100 }
        metrics: [error_rate, { latency: { p99: { max: 2s } } }, success_rate]`,
  blueGreen: `      blueGreen: { switchover: instant, scaleDownDelay: 1s }`,
  rolling: `      rolling: { batchSize: 1, maxSurge: 1, maxUnavailable: 0 }`,
};

describe('strategies under load', { timeout: 240_000, concurrency: false }, () => {
  const projects: TestProject[] = [];
  after(async () => {
    for (const p of projects) await p.cleanup();
  });

  for (const [name, strategy] of Object.entries(STRATEGIES)) {
    test(`${name}: v1 then v2 with zero failed requests, events recorded`, async () => {
      const project = testProject(config(strategy));
      projects.push(project);
      const first = project.cli('deploy', 'web', '--env', 'prod');
      assert.equal(first.status, 0, first.stderr + first.stdout);
      const url = urlOf(first.stdout);
      const load = steadyLoad(url);
      await new Promise((r) => setTimeout(r, 300));
      project.edit('VERSION: v1', 'VERSION: v2');
      const second = await project.run('--json', 'deploy', 'web', '--env', 'prod');
      const seen = await load.stop();
      assert.equal(second.status, 0, second.stderr + second.stdout);
      const events = ndjson(second.stdout);
      const finished = events.find((e) => e.type === 'rollout.finished');
      assert.equal(finished?.status, 'completed');
      const steps = events.filter((e) => e.type === 'rollout.step');
      assert.ok(steps.length >= 2, 'steps reported');
      if (name === 'canary') {
        assert.ok(
          events.some((e) => e.type === 'analysis.measurement' && e.metric === 'error_rate'),
          'analysis ran',
        );
        const weights = steps.map(
          (s) => Object.values(s.weights as Record<string, number>).sort((a, b) => a - b)[0],
        );
        assert.ok(weights.includes(10), `a 10% stage: ${JSON.stringify(weights)}`);
      }
      assert.equal(seen.failed, 0, `failed requests: ${seen.errors.join('; ')}`);
      assert.ok(seen.ok > 50, `served ${seen.ok}`);
      const body = await (await fetch(`${url}/`)).text();
      assert.match(body, /^hello v2/);
      const status = JSON.parse(project.cli('--json', 'status', 'web', '--env', 'prod').stdout) as {
        revisions: { weight: number; role: string | null }[];
        rollout: { phase: string; strategy: string };
      };
      assert.equal(status.rollout.phase, 'completed');
      assert.equal(status.rollout.strategy, name);
      const log = JSON.parse(
        `[${project.cli('--json', 'events', '--service', 'web').stdout.trim().split('\n').join(',')}]`,
      ) as {
        type: string;
      }[];
      const types = log.map((e) => e.type);
      assert.ok(types.includes('service.deployed'), 'first deploy recorded');
      assert.ok(types.includes('service.upgraded'), 'upgrade recorded');
      assert.ok(types.includes('rollout.completed'));
    });
  }
});
