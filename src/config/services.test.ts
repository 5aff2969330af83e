import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { formatDiagnostic } from './diagnostic.js';
import { loadConfigText } from './load-config.js';

const render = (text: string) =>
  loadConfigText(text).diagnostics.map((d) => formatDiagnostic('slipway.yaml', d));

const fixture = (name: string) =>
  readFileSync(new URL(`../../test/fixtures/${name}`, import.meta.url), 'utf8');

test('services: the spec example resolves with durations in ms and dependencies in file order', () => {
  const result = loadConfigText(fixture('services-and-environments.yaml'));
  assert.deepEqual(result.diagnostics, []);
  assert.deepEqual(result.config!.services, {
    web: {
      id: 'web',
      run: 'node server.js',
      source: './examples/hello',
      instances: 3,
      env: { LOG_LEVEL: 'info' },
      readiness: {
        kind: 'http',
        path: '/healthz',
        initialDelayMs: 0,
        periodMs: 1000,
        timeoutMs: 500,
        successThreshold: 1,
        failureThreshold: 3,
      },
      liveness: {
        kind: 'http',
        path: '/healthz',
        initialDelayMs: 0,
        periodMs: 5000,
        timeoutMs: 1000,
        successThreshold: 1,
        failureThreshold: 3,
      },
      shutdown: { drainMs: 5000, timeoutMs: 15_000 },
      dependencies: [
        { name: 'database', kind: 'postgres', url: '${DATABASE_URL}', timeoutMs: 2000 },
        { name: 'cache', kind: 'redis', url: 'redis://127.0.0.1:6379', timeoutMs: 2000 },
        {
          name: 'messageQueue',
          kind: 'rabbitmq',
          url: 'amqp://guest:guest@127.0.0.1:5672',
          timeoutMs: 2000,
        },
        { name: 'payments', kind: 'http', url: 'http://127.0.0.1:9999/health', timeoutMs: 2000 },
      ],
      path: ['services', 'web'],
    },
  });
  const where = (env: { name: string; port?: number; path: unknown }) => ({
    name: env.name,
    port: env.port,
    path: env.path,
  });
  assert.deepEqual(Object.values(result.config!.environments).map(where), [
    { name: 'production', port: 8080, path: ['environments', 'production'] },
    { name: 'staging', port: undefined, path: ['environments', 'staging'] },
  ]);
});

test('services: every default of a service, a probe and a dependency', () => {
  const result = loadConfigText(`services:
  api:
    run: ./api
    health:
      readiness: { tcp: true }
      liveness: { exec: ./alive.sh }
    dependencies:
      db: { postgres: "postgresql://localhost/app" }
`);
  assert.deepEqual(result.diagnostics, []);
  const api = result.config!.services.api!;
  assert.equal(api.source, '.');
  assert.equal(api.instances, 1);
  assert.deepEqual(api.env, {});
  assert.deepEqual(api.shutdown, { drainMs: 5000, timeoutMs: 15_000 });
  const timing = {
    initialDelayMs: 0,
    periodMs: 10_000,
    timeoutMs: 1000,
    successThreshold: 1,
    failureThreshold: 3,
  };
  assert.deepEqual(api.readiness, { kind: 'tcp', ...timing });
  assert.deepEqual(api.liveness, { kind: 'exec', command: './alive.sh', ...timing });
  assert.deepEqual(api.dependencies, [
    { name: 'db', kind: 'postgres', url: 'postgresql://localhost/app', timeoutMs: 2000 },
  ]);
});

test('services: probes are optional, ports and durations are parsed, env values are stringified', () => {
  const result = loadConfigText(`services:
  worker:
    run: ./worker
    env: { RETRIES: 3, VERBOSE: true }
    shutdown: { drain: 1m30s }
  api:
    run: ./api
    health:
      readiness: { http: /ready, port: 9000, initialDelay: 2s, period: 250ms, timeout: 1.5s, successThreshold: 2 }
      liveness: { tcp: true, port: 9001, failureThreshold: 5 }
`);
  assert.deepEqual(result.diagnostics, []);
  const { worker, api } = result.config!.services;
  assert.equal(worker!.readiness, undefined);
  assert.equal(worker!.liveness, undefined);
  assert.deepEqual(worker!.env, { RETRIES: '3', VERBOSE: 'true' });
  assert.deepEqual(worker!.shutdown, { drainMs: 90_000, timeoutMs: 15_000 });
  assert.deepEqual(api!.readiness, {
    kind: 'http',
    path: '/ready',
    port: 9000,
    initialDelayMs: 2000,
    periodMs: 250,
    timeoutMs: 1500,
    successThreshold: 2,
    failureThreshold: 3,
  });
  assert.deepEqual(api!.liveness, {
    kind: 'tcp',
    port: 9001,
    initialDelayMs: 0,
    periodMs: 10_000,
    timeoutMs: 1000,
    successThreshold: 1,
    failureThreshold: 5,
  });
});

test('services: a file without services or environments resolves both to empty records', () => {
  const result = loadConfigText('jobs:\n  a: { run: make }\n');
  assert.deepEqual(result.config!.services, {});
  assert.deepEqual(result.config!.environments, {});
});

test('services: the hello example runs two instances of its server with probes on /healthz', () => {
  const result = loadConfigText(fixture('../../examples/hello/slipway.yaml'));
  assert.deepEqual(result.diagnostics, []);
  const hello = result.config!.services.hello!;
  assert.equal(hello.run, 'node dist/server.js');
  assert.equal(hello.instances, 2);
  assert.deepEqual(hello.shutdown, { drainMs: 2000, timeoutMs: 10_000 });
  assert.equal(hello.readiness?.kind === 'http' && hello.readiness.path, '/healthz');
  assert.equal(hello.liveness?.periodMs, 5000);
  assert.deepEqual(Object.keys(result.config!.environments), ['dev', 'staging', 'production']);
  assert.equal(result.config!.environments.production!.port, 8080);
});

// Each case: a config with one mistake and the exact diagnostic lines it must produce.
const INVALID: { name: string; yaml: string; expect: string[] }[] = [
  {
    name: 'two environments on the same port',
    yaml: `environments:
  staging: { port: 8080 }
  production: { port: 8080 }
`,
    expect: [
      "slipway.yaml:3:23: error: environments.production.port: port 8080 is already used by environment 'staging' (at 2:20)",
    ],
  },
  {
    name: 'a probe with no check',
    yaml: `services:
  web:
    run: ./web
    health:
      readiness: { period: 1s }
`,
    expect: [
      'slipway.yaml:5:7: error: services.web.health.readiness: a readiness probe needs one of `http`, `tcp` or `exec`',
    ],
  },
  {
    name: 'a probe with two checks',
    yaml: `services:
  web:
    run: ./web
    health:
      liveness: { http: /healthz, exec: ./alive.sh }
`,
    expect: [
      'slipway.yaml:5:35: error: services.web.health.liveness.exec: a probe has one of `http`, `tcp` or `exec`, not both `http` and `exec`',
    ],
  },
  {
    name: 'a liveness probe with successThreshold other than 1',
    yaml: `services:
  web:
    run: ./web
    health:
      liveness:
        http: /healthz
        successThreshold: 2
`,
    expect: [
      "slipway.yaml:7:27: error: services.web.health.liveness.successThreshold: a liveness probe's successThreshold must be 1, got 2",
    ],
  },
  {
    name: 'an http probe path without a leading slash',
    yaml: `services:
  web:
    run: ./web
    health:
      readiness: { http: healthz }
`,
    expect: [
      "slipway.yaml:5:26: error: services.web.health.readiness.http: an http probe requests a path starting with '/', got 'healthz'",
    ],
  },
  {
    name: 'a port on an exec probe',
    yaml: `services:
  web:
    run: ./web
    health:
      readiness: { exec: ./ready.sh, port: 9000 }
`,
    expect: [
      'slipway.yaml:5:38: error: services.web.health.readiness.port: `port` applies to `http` and `tcp` probes only',
    ],
  },
  {
    name: 'a dependency with no kind',
    yaml: `services:
  web:
    run: ./web
    dependencies:
      db: { timeout: 5s }
`,
    expect: [
      "slipway.yaml:5:7: error: services.web.dependencies.db: dependency 'db' needs one of `postgres`, `redis`, `rabbitmq` or `http`",
    ],
  },
  {
    name: 'a dependency with two kinds',
    yaml: `services:
  web:
    run: ./web
    dependencies:
      store: { postgres: "postgres://db/app", redis: "redis://cache" }
`,
    expect: [
      'slipway.yaml:5:47: error: services.web.dependencies.store.redis: a dependency has one of `postgres`, `redis`, `rabbitmq` or `http`, not both `postgres` and `redis`',
    ],
  },
  {
    name: 'an http dependency that is not an http URL',
    yaml: `services:
  web:
    run: ./web
    dependencies:
      payments: { http: "ftp://payments.internal/health" }
`,
    expect: [
      "slipway.yaml:5:25: error: services.web.dependencies.payments.http: expected an http:// or https:// URL, got 'ftp://payments.internal/health'",
    ],
  },
  {
    name: 'URL schemes checked per kind',
    yaml: `services:
  web:
    run: ./web
    dependencies:
      db: { postgres: "mysql://db/app" }
      cache: { redis: "127.0.0.1:6379" }
      queue: { rabbitmq: "http://rabbit:15672" }
`,
    expect: [
      "slipway.yaml:5:23: error: services.web.dependencies.db.postgres: expected a postgres:// or postgresql:// URL, got 'mysql://db/app'",
      "slipway.yaml:6:23: error: services.web.dependencies.cache.redis: expected a redis:// or rediss:// URL, got '127.0.0.1:6379'",
      "slipway.yaml:7:26: error: services.web.dependencies.queue.rabbitmq: expected an amqp:// or amqps:// URL, got 'http://rabbit:15672'",
    ],
  },
  {
    name: 'instances out of range',
    yaml: `services:
  web: { run: ./web, instances: 0 }
`,
    expect: ['slipway.yaml:2:33: error: services.web.instances: must be at least 1, got number 0'],
  },
  {
    name: 'tcp probe that is not true',
    yaml: `services:
  web:
    run: ./web
    health:
      readiness: { tcp: yes }
`,
    expect: ["slipway.yaml:5:25: error: services.web.health.readiness.tcp: expected true, got string 'yes'"],
  },
  {
    name: 'unknown probe key, with a suggestion',
    yaml: `services:
  web:
    run: ./web
    health:
      readiness: { http: /healthz, failureTreshold: 2 }
`,
    expect: [
      "slipway.yaml:5:36: error: services.web.health.readiness.failureTreshold: unknown key 'failureTreshold' (did you mean 'failureThreshold'?)",
    ],
  },
  {
    name: 'bad probe duration',
    yaml: `services:
  web:
    run: ./web
    health:
      readiness: { http: /healthz, period: often }
`,
    expect: [
      "slipway.yaml:5:44: error: services.web.health.readiness.period: invalid duration 'often' (write e.g. 500ms, 30s, 10m, 1h30m)",
    ],
  },
  {
    name: 'service without run',
    yaml: `services:
  web:
    instances: 2
`,
    expect: ["slipway.yaml:2:3: error: services.web: missing required key 'run'"],
  },
  {
    name: 'environment port out of range',
    yaml: `environments:
  production: { port: 70000 }
`,
    expect: [
      'slipway.yaml:2:23: error: environments.production.port: must be at most 65535, got number 70000',
    ],
  },
  {
    name: 'unknown environment key',
    yaml: `environments:
  production: { prot: 8080 }
`,
    expect: [
      "slipway.yaml:2:17: error: environments.production.prot: unknown key 'prot' (did you mean 'port'?)",
    ],
  },
];

for (const c of INVALID) {
  test(`invalid services config: ${c.name}`, () => {
    assert.deepEqual(render(c.yaml), c.expect);
  });
}

test('services: a schema error elsewhere does not hide a rule error in a service', () => {
  assert.deepEqual(
    render(`jobs:
  a: { run: make, tiemout: 5s }
services:
  web:
    run: ./web
    instances: many
    health:
      liveness: { http: /healthz, successThreshold: 3 }
`),
    [
      "slipway.yaml:2:19: error: jobs.a.tiemout: unknown key 'tiemout' (did you mean 'timeout'?)",
      "slipway.yaml:6:16: error: services.web.instances: expected a number, got string 'many'",
      "slipway.yaml:8:53: error: services.web.health.liveness.successThreshold: a liveness probe's successThreshold must be 1, got 3",
    ],
  );
});

test('services: a URL with ${VAR} placeholders is checked only when expanded', () => {
  assert.deepEqual(
    render(`services:
  web:
    run: ./web
    dependencies:
      db: { postgres: "\${DATABASE_URL}" }
      api: { http: "\${API_BASE}/health" }
`),
    [],
  );
});

const DEPLOY = `services:
  web: { run: ./web }
environments:
  staging: {}
  production: { port: 8080 }
pipeline:
  stages:
    - name: deploy
      environments:
        - qa: auto
        - staging: auto
        - production: manual_approval
`;

test('services: a deploy-stage environment missing from top-level environments is a warning', () => {
  assert.deepEqual(render(DEPLOY), [
    "slipway.yaml:10:11: warning: pipeline.stages[0].environments[0].qa: environment 'qa' deploys nothing: give it a `run` command",
    "slipway.yaml:10:11: warning: pipeline.stages[0].environments[0].qa: environment 'qa' deploys no services: it is not listed under top-level `environments:`",
  ]);
  assert.ok(loadConfigText(DEPLOY).config, 'warnings only');
});

test('services: without services, or without top-level environments, no environment warns about services', () => {
  const noServices = DEPLOY.replace('services:\n  web: { run: ./web }\n', '');
  assert.ok(render(noServices).every((line) => !line.includes('deploys no services')));
  const noEnvironments = DEPLOY.replace(
    /environments:\n {2}staging: \{\}\n {2}production: \{ port: 8080 \}\n/,
    '',
  );
  assert.deepEqual(render(noEnvironments), []);
});
