import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatDiagnostic } from './diagnostic.js';
import { loadConfigText } from './load-config.js';

const render = (text: string) =>
  loadConfigText(text).diagnostics.map((d) => formatDiagnostic('slipway.yaml', d));
const router = { kind: 'router' };

test('strategies: the issue example resolves, durations in ms and shares in percent', () => {
  const result = loadConfigText(`environments:
  production:
    port: 8080
    strategy:
      canary:
        stages:
          - { traffic: 5, duration: 10m }
          - { traffic: 25%, duration: 30m }
          - { traffic: 50, duration: 1h, pause: true }
          - { traffic: 100 }
        metrics: [error_rate, latency, success_rate]
        autoRollback: true
  staging:
    strategy:
      blueGreen: { switchover: instant, rollback: immediate }
  dev:
    strategy:
      rolling: { batchSize: 2, maxSurge: 1, maxUnavailable: 1 }
`);
  assert.deepEqual(result.diagnostics, []);
  const envs = result.config!.environments;
  assert.deepEqual(envs.production!.strategy, {
    kind: 'canary',
    stages: [
      { traffic: 5, durationMs: 600_000, pause: false },
      { traffic: 25, durationMs: 1_800_000, pause: false },
      { traffic: 50, durationMs: 3_600_000, pause: true },
      { traffic: 100, pause: false },
    ],
    metrics: [
      { name: 'error_rate', provider: router, max: 1 },
      { name: 'latency', provider: router, quantile: 'p99', max: 500 },
      { name: 'success_rate', provider: router, min: 99 },
    ],
    autoRollback: true,
  });
  assert.deepEqual(envs.staging!.strategy, {
    kind: 'blueGreen',
    switchover: 'instant',
    steps: [25, 50, 75, 100],
    stepDurationMs: 30_000,
    rollback: 'immediate',
    scaleDownDelayMs: 30_000,
    analysisDurationMs: 0,
    metrics: [{ name: 'error_rate', provider: router, max: 1 }],
    autoRollback: true,
  });
  assert.deepEqual(envs.dev!.strategy, {
    kind: 'rolling',
    batchSize: { value: 2, percent: false },
    maxSurge: { value: 1, percent: false },
    maxUnavailable: { value: 1, percent: false },
    batchIntervalMs: 0,
    metrics: [{ name: 'error_rate', provider: router, max: 1 }],
    autoRollback: true,
  });
});

test('strategies: metric thresholds, latency quantiles, ratios and providers', () => {
  const result = loadConfigText(`environments:
  production:
    strategy:
      canary:
        metrics:
          - { error_rate: { max: 0.5% } }
          - { latency: { p99: { max: 300ms }, p50: { maxRatio: 1.5 } } }
          - { success_rate: { min: 99.9 } }
          - { error_rate: { provider: { prometheus: { address: "http://127.0.0.1:9090", query: "rate(x[1m])" } } } }
          - { queue_depth: { provider: { http: { url: "http://127.0.0.1:9000/stats", path: data.depth } }, max: 100 } }
          - { checkout: { provider: { command: ./check-checkout.sh } } }
    analysis: { interval: 5s, failureLimit: 2, minRequests: 50 }
`);
  assert.deepEqual(result.diagnostics, []);
  const production = result.config!.environments.production!;
  assert.equal(production.strategy.kind, 'canary');
  assert.deepEqual(production.strategy.metrics, [
    { name: 'error_rate', provider: router, max: 0.5 },
    { name: 'latency', provider: router, quantile: 'p50', maxRatio: 1.5 },
    { name: 'latency', provider: router, quantile: 'p99', max: 300 },
    { name: 'success_rate', provider: router, min: 99.9 },
    {
      name: 'error_rate',
      provider: { kind: 'prometheus', address: 'http://127.0.0.1:9090', query: 'rate(x[1m])' },
      max: 1,
    },
    {
      name: 'queue_depth',
      provider: { kind: 'http', url: 'http://127.0.0.1:9000/stats', path: 'data.depth' },
      max: 100,
    },
    { name: 'checkout', provider: { kind: 'command', command: './check-checkout.sh' } },
  ]);
  assert.deepEqual(production.analysis, {
    intervalMs: 5000,
    failureLimit: 2,
    inconclusiveLimit: 3,
    consecutiveErrorLimit: 4,
    minRequests: 50,
  });
});

test('strategies: checks and hooks resolve with their defaults', () => {
  const result = loadConfigText(`environments:
  production:
    checks:
      smoke:
        - http: { path: /healthz }
        - http: { path: /api/version, expect: [200, 204], body: '"version"' }
        - run: ./smoke.sh
      warmup: [/, /api/catalog]
      synthetic:
        - name: checkout
          steps:
            - { path: /cart, method: POST, expect: 201 }
            - { path: /checkout, body: ok }
    hooks: { preDeploy: ./migrate.sh, timeout: 2m }
`);
  assert.deepEqual(result.diagnostics, []);
  const production = result.config!.environments.production!;
  assert.deepEqual(production.checks, {
    smoke: [
      { kind: 'http', path: '/healthz', method: 'GET' },
      { kind: 'http', path: '/api/version', method: 'GET', expect: [200, 204], body: '"version"' },
      { kind: 'run', command: './smoke.sh' },
    ],
    warmup: ['/', '/api/catalog'],
    synthetic: [
      {
        name: 'checkout',
        steps: [
          { path: '/cart', method: 'POST', expect: [201] },
          { path: '/checkout', method: 'GET', body: 'ok' },
        ],
      },
    ],
    timeoutMs: 10_000,
  });
  assert.deepEqual(production.hooks, { preDeploy: './migrate.sh', timeoutMs: 120_000 });
});

test('strategies: without a strategy an environment rolls with maxSurge 25% and maxUnavailable 0', () => {
  const env = loadConfigText('environments:\n  production: { port: 8080 }\n').config!.environments
    .production!;
  assert.equal(env.strategy.kind, 'rolling');
  assert.ok(env.strategy.kind === 'rolling');
  assert.deepEqual(env.strategy.maxSurge, { value: 25, percent: true });
  assert.deepEqual(env.strategy.maxUnavailable, { value: 0, percent: false });
});

test('strategies: a service overrides deployment sections per environment, outside its revision config', () => {
  const text = `services:
  web:
    run: node server.js
    instances: 2
DEPLOY
environments:
  production: { strategy: { canary: {} } }
`;
  const plain = loadConfigText(text.replace('DEPLOY\n', ''));
  const overridden = loadConfigText(
    text.replace(
      'DEPLOY',
      '    deploy:\n      production:\n        strategy: { blueGreen: { scaleDownDelay: 1m } }\n        analysis: { failureLimit: 0 }',
    ),
  );
  assert.deepEqual(overridden.diagnostics, []);
  // The service's resolved config (hashed into its revision id) does not change.
  assert.deepEqual(overridden.config!.services, plain.config!.services);
  assert.deepEqual(plain.config!.deployOverrides, {});
  const web = overridden.config!.deployOverrides.web!.production!;
  assert.deepEqual(Object.keys(web), ['strategy', 'analysis']);
  assert.equal(web.strategy?.kind, 'blueGreen');
  assert.equal(web.strategy?.kind === 'blueGreen' && web.strategy.scaleDownDelayMs, 60_000);
  assert.equal(web.analysis?.failureLimit, 0);
});

test('strategies: maxSurge 0 with maxUnavailable 0 is an error at its line and column', () => {
  assert.deepEqual(
    render(`environments:
  production:
    strategy:
      rolling: { maxSurge: 0, maxUnavailable: 0% }
`),
    [
      'slipway.yaml:4:28: error: environments.production.strategy.rolling.maxSurge: `maxSurge` and `maxUnavailable` cannot both be 0: no instance could ever be replaced (allow 1 of either)',
    ],
  );
});

test('strategies: one kind per strategy, growing stages, valid counts', () => {
  assert.deepEqual(
    render(`environments:
  a:
    strategy: {}
  b:
    strategy:
      canary: { stages: [{ traffic: 50 }, { traffic: 20 }, { traffic: 100 }, { traffic: 100 }] }
      rolling: {}
  c:
    strategy:
      blueGreen: { switchover: gradual, steps: [0, 50, 40] }
  d:
    strategy:
      rolling: { batchSize: 0, maxSurge: 150% }
`),
    [
      'slipway.yaml:3:5: error: environments.a.strategy: a strategy needs one of `canary`, `blueGreen`, `rolling` or `featureFlag`',
      'slipway.yaml:6:54: error: environments.b.strategy.canary.stages[1].traffic: each stage needs more traffic than the one before (50%), got 20%',
      'slipway.yaml:6:89: error: environments.b.strategy.canary.stages[3].traffic: no stage can follow a stage at 100%',
      'slipway.yaml:7:7: error: environments.b.strategy.rolling: a strategy has one of `canary`, `blueGreen`, `rolling` or `featureFlag`, not both `canary` and `rolling`',
      'slipway.yaml:10:49: error: environments.c.strategy.blueGreen.steps[0]: a gradual step sends the new revision some traffic: use more than 0%',
      'slipway.yaml:10:56: error: environments.c.strategy.blueGreen.steps[2]: each step needs more traffic than the one before (50%), got 40%',
      "slipway.yaml:13:42: error: environments.d.strategy.rolling.maxSurge: a percentage is at most 100%, got '150%'",
    ],
  );
});

test('strategies: metric mistakes are reported where they are written', () => {
  assert.deepEqual(
    render(`environments:
  production:
    strategy:
      canary:
        metrics:
          - errror_rate
          - { error_rate: { max: 300ms } }
          - { latency: { max: 5% } }
          - { success_rate: { p99: { max: 1s } } }
          - { apdex: { max: 1 } }
          - { apdex: { provider: { http: { url: "http://x/metrics", path: a.b } } } }
          - { apdex: { provider: { command: ./x }, max: 3 } }
`),
    [
      "slipway.yaml:6:13: error: environments.production.strategy.canary.metrics[0]: unknown metric 'errror_rate' (did you mean 'error_rate'?): the router measures error_rate, latency, success_rate; a custom metric needs a provider and a threshold",
      "slipway.yaml:7:34: error: environments.production.strategy.canary.metrics[1].error_rate.max: invalid threshold '300ms' for error_rate: write a percentage such as 1% or 0.5",
      "slipway.yaml:8:31: error: environments.production.strategy.canary.metrics[2].latency.max: invalid threshold '5%' for latency: write a duration such as 300ms or a number of milliseconds",
      "slipway.yaml:9:36: error: environments.production.strategy.canary.metrics[3].success_rate.p99: quantiles apply to latency only, not to 'success_rate'",
      "slipway.yaml:10:22: error: environments.production.strategy.canary.metrics[4].apdex: the router does not measure 'apdex': give a custom metric a `provider`",
      "slipway.yaml:11:22: error: environments.production.strategy.canary.metrics[5].apdex: custom metric 'apdex' needs a threshold: `max`, `min` or `maxRatio`",
      'slipway.yaml:12:22: error: environments.production.strategy.canary.metrics[6].apdex: a command metric passes on exit 0; it takes no `max`, `min`, `maxRatio` or quantiles',
    ],
  );
});

test('strategies: an override for an unknown environment is an error with a suggestion', () => {
  assert.deepEqual(
    render(`services:
  web:
    run: node server.js
    deploy:
      prod: { strategy: { blueGreen: {} } }
environments:
  production: {}
`),
    [
      "slipway.yaml:5:7: error: services.web.deploy.prod: unknown environment 'prod' (did you mean 'production'?)",
    ],
  );
});

test('strategies: checks with bad paths, statuses and patterns are schema errors', () => {
  assert.deepEqual(
    render(`environments:
  production:
    checks:
      smoke: [{ http: { path: healthz, expect: 700 } }]
      warmup: [/ok, nope]
      synthetic: [{ name: a, steps: [{ path: /x, body: "(" }] }, { name: a, steps: [{ path: /y }] }]
`).map((line) => line.replace(/: [^:]*$/, '')),
    [
      'slipway.yaml:4:31: error: environments.production.checks.smoke[0].http.path',
      'slipway.yaml:4:48: error: environments.production.checks.smoke[0].http.expect',
      'slipway.yaml:5:21: error: environments.production.checks.warmup[1]',
      'slipway.yaml:6:56: error: environments.production.checks.synthetic[0].steps[0].body',
      'slipway.yaml:6:74: error: environments.production.checks.synthetic[1].name',
    ],
  );
});
