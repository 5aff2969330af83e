import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfigText } from '../config/load-config.js';
import { deploymentFor } from './deployment.js';

const config = loadConfigText(`services:
  web:
    run: node server.js
    deploy:
      production:
        strategy: { blueGreen: {} }
        hooks: { postDeploy: ./notify.sh }
  worker:
    run: node worker.js
environments:
  production:
    strategy:
      canary:
        stages: [{ traffic: 10, duration: 1m }, { traffic: 100 }]
    analysis: { failureLimit: 2 }
    hooks: { preDeploy: ./migrate.sh }
  staging: {}
`).config!;

test('deploymentFor: the environment settings, with the sections a service overrides replaced whole', () => {
  const web = deploymentFor(config, 'web', 'production');
  assert.equal(web.strategy.kind, 'blueGreen');
  assert.deepEqual(web.hooks, { postDeploy: './notify.sh', timeoutMs: 600_000 });
  assert.equal(web.analysis.failureLimit, 2);
  const worker = deploymentFor(config, 'worker', 'production');
  assert.equal(worker.strategy.kind, 'canary');
  assert.deepEqual(worker.hooks, { preDeploy: './migrate.sh', timeoutMs: 600_000 });
});

test('deploymentFor: an environment that sets nothing, or is not listed, gets the defaults', () => {
  for (const env of ['staging', 'preview']) {
    const d = deploymentFor(config, 'worker', env);
    assert.deepEqual(d.strategy, {
      kind: 'rolling',
      batchSize: { value: 25, percent: true },
      maxSurge: { value: 25, percent: true },
      maxUnavailable: { value: 0, percent: false },
      batchIntervalMs: 0,
      metrics: [{ name: 'error_rate', provider: { kind: 'router' }, max: 1 }],
      autoRollback: true,
    });
    assert.deepEqual(d.analysis, {
      intervalMs: 1000,
      failureLimit: 1,
      inconclusiveLimit: 3,
      consecutiveErrorLimit: 4,
      minRequests: 20,
    });
    assert.deepEqual(d.checks, { smoke: [], warmup: [], synthetic: [], timeoutMs: 10_000 });
    assert.deepEqual(d.hooks, { timeoutMs: 600_000 });
  }
});
