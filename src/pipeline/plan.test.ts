import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfigText } from '../config/load-config.js';
import type { ResolvedConfig } from '../config/resolved.js';
import { PlanError, planPipeline } from './plan.js';

function config(yaml: string): ResolvedConfig {
  const result = loadConfigText(yaml);
  assert.ok(result.config, JSON.stringify(result.diagnostics));
  return result.config;
}

const SPINE = config(`jobs:
  compile: { run: tsc }
  bundle: { run: bundle }
  unit: { run: unit }
  e2e: { run: e2e, needs: [compile] }
  scan: { run: scan }
  sast: { run: sast }
pipeline:
  stages:
    - { name: build, parallel: [compile, bundle] }
    - { name: test, parallel: [unit, e2e] }
    - { name: security, steps: [scan, sast] }
    - name: deploy
      environments:
        - dev: { run: deploy dev }
        - production: { approval: manual_approval, run: deploy prod }
`);

test('stages become ordered stage groups; sequential stages and environments chain their nodes', () => {
  const plan = planPipeline(SPINE);
  assert.deepEqual(
    plan.stages.map((s) => [s.name, s.keys]),
    [
      ['build', ['compile', 'bundle']],
      ['test', ['unit', 'e2e']],
      ['security', ['scan', 'sast']],
      ['deploy', ['deploy.dev', 'deploy.production']],
    ],
  );
  const needs = Object.fromEntries(plan.nodes.map((n) => [n.key, n.needs]));
  assert.deepEqual(needs, {
    compile: [],
    bundle: [],
    unit: [],
    e2e: ['compile'],
    scan: [],
    sast: ['scan'],
    'deploy.dev': [],
    'deploy.production': ['deploy.dev'],
  });
  const prod = plan.nodes.find((n) => n.key === 'deploy.production');
  assert.deepEqual(prod, {
    kind: 'deploy',
    key: 'deploy.production',
    stage: 'deploy',
    stageIndex: 3,
    needs: ['deploy.dev'],
    environment: 'production',
    approval: 'manual_approval',
    run: 'deploy prod',
  });
});

test('matrix jobs expand to one node per leg, and dependents need every leg', () => {
  const plan = planPipeline(
    config(`jobs:
  test: { run: t, matrix: { node: [18, 20], os: [a] } }
  report: { run: r, needs: [test] }
`),
  );
  assert.deepEqual(
    plan.nodes.map((n) => [n.key, n.needs]),
    [
      ['test[node=18, os=a]', []],
      ['test[node=20, os=a]', []],
      ['report', ['test[node=18, os=a]', 'test[node=20, os=a]']],
    ],
  );
  const leg = plan.nodes[0]!;
  assert.equal(leg.kind === 'job' && leg.matrix?.node, 18);
});

test('nodes come out in a topological order even when needs point backwards in the file', () => {
  const plan = planPipeline(
    config('jobs:\n  c: { run: c, needs: [b] }\n  b: { run: b, needs: [a] }\n  a: { run: a }\n'),
  );
  assert.deepEqual(
    plan.nodes.map((n) => n.key),
    ['a', 'b', 'c'],
  );
});

test('--job keeps the job and what it needs, transitively', () => {
  const plan = planPipeline(SPINE, { job: 'e2e' });
  assert.deepEqual(
    plan.nodes.map((n) => [n.key, n.stageIndex]),
    [
      ['compile', 0],
      ['e2e', 1],
    ],
  );
  assert.deepEqual(
    plan.stages.map((s) => s.name),
    ['build', 'test'],
  );
});

test('--stage keeps one stage and drops needs outside it', () => {
  const plan = planPipeline(SPINE, { stage: 'test' });
  assert.deepEqual(
    plan.nodes.map((n) => [n.key, n.needs, n.stageIndex]),
    [
      ['unit', [], 0],
      ['e2e', [], 0],
    ],
  );
});

test('unknown selections are typed errors', () => {
  assert.throws(
    () => planPipeline(SPINE, { job: 'nope' }),
    (e: unknown) => e instanceof PlanError && e.code === 'UNKNOWN_JOB',
  );
  assert.throws(
    () => planPipeline(SPINE, { stage: 'nope' }),
    (e: unknown) => e instanceof PlanError && e.code === 'UNKNOWN_STAGE',
  );
});
