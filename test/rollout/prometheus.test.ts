/**
 * Analysis through a real Prometheus server (Debian's `prometheus`): it scrapes the agent's
 * metrics endpoint, and the canary's metric is a PromQL query about the new revision.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { freePort } from '../../src/platform/local/agent/instance-process.js';
import { PROMETHEUS, skipWithout } from '../helpers/outside-program.js';
import { fixtureConfig, ndjson, steadyLoad, testProject, urlOf } from './helpers.js';

test('a canary judged by a Prometheus query over the router metrics it scraped rolls back a failing revision', {
  timeout: 180_000,
  skip: skipWithout(PROMETHEUS),
}, async () => {
  const promPort = await freePort();
  const query = `sum(increase(slipway_router_responses_5xx_total{service="web",env="prod",revision="{{revision}}"}[10s])) or vector(0)`;
  const project = testProject(
    fixtureConfig({
      instances: 1,
      drain: '1s',
      strategy: `      canary:
        stages:
          - { traffic: 50, duration: 30s }
          - { traffic: 100 }
        metrics:
          - upstream_errors:
              provider: { prometheus: { address: "http://127.0.0.1:${promPort}", query: '${query}' } }
              max: 0`,
      analysis: 'interval: 1s, failureLimit: 0, consecutiveErrorLimit: 10',
    }),
  );
  let prometheus: ChildProcess | undefined;
  const data = mkdtempSync(join(tmpdir(), 'slipway-prometheus-'));
  after(async () => {
    prometheus?.kill('SIGKILL');
    await project.cleanup();
    rmSync(data, { recursive: true, force: true });
  });
  const first = project.cli('deploy', 'web', '--env', 'prod');
  assert.equal(first.status, 0, first.stderr + first.stdout);
  const status = JSON.parse(project.cli('--json', 'agent', 'status').stdout) as {
    agent: { metricsUrl: string };
  };
  const target = new URL(status.agent.metricsUrl);
  writeFileSync(
    join(data, 'prometheus.yml'),
    `global: { scrape_interval: 1s, evaluation_interval: 1s }
scrape_configs:
  - job_name: slipway
    static_configs: [ { targets: ['${target.host}'] } ]
`,
  );
  prometheus = spawn(
    PROMETHEUS.command,
    [
      `--config.file=${join(data, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(data, 'tsdb')}`,
      `--web.listen-address=127.0.0.1:${promPort}`,
    ],
    { stdio: 'ignore' },
  );
  for (let i = 0; i < 100; i++) {
    const ready = await fetch(`http://127.0.0.1:${promPort}/-/ready`).catch(() => undefined);
    if (ready?.ok) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const load = steadyLoad(urlOf(first.stdout));
  project.edit('VERSION: v1 }', 'VERSION: v2, MODE: error }');
  const deploy = await project.run('--json', 'deploy', 'web', '--env', 'prod');
  await load.stop();
  const events = ndjson(deploy.stdout);
  const finished = events.find((e) => e.type === 'rollout.finished');
  assert.equal(deploy.status, 1, deploy.stdout + deploy.stderr);
  assert.equal(finished?.status, 'rolled_back');
  assert.match(String(finished?.reason), /^upstream_errors \d+(\.\d+)? > 0$/);
  const measured = events.filter((e) => e.type === 'analysis.measurement' && e.metric === 'upstream_errors');
  assert.ok(measured.length >= 1, 'Prometheus was queried');
});
