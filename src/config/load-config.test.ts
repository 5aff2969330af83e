import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { formatDiagnostic } from './diagnostic.js';
import { loadConfigText } from './load-config.js';

const render = (text: string) =>
  loadConfigText(text).diagnostics.map((d) => formatDiagnostic('slipway.yaml', d));

// Each case: a config with one mistake and the exact diagnostic lines it must produce.
const INVALID: { name: string; yaml: string; expect: string[] }[] = [
  {
    name: 'unknown job in a parallel stage, with a suggestion',
    yaml: `jobs:
  e2e_tests: { run: echo e2e }
  unit_tests: { run: echo unit }
pipeline:
  stages:
    - name: test
      parallel:
        - unit_tests
        - e2e_test
`,
    expect: [
      "slipway.yaml:2:3: warning: jobs.e2e_tests: job 'e2e_tests' is in no stage, so it never runs",
      "slipway.yaml:9:11: error: pipeline.stages[0].parallel[1]: unknown job 'e2e_test' (did you mean 'e2e_tests'?)",
    ],
  },
  {
    name: 'unknown job in a flow list',
    yaml: `jobs:
  lint: { run: echo lint }
pipeline:
  stages:
    - { name: check, parallel: [lint, typecheck] }
`,
    expect: ["slipway.yaml:5:39: error: pipeline.stages[0].parallel[1]: unknown job 'typecheck'"],
  },
  {
    name: 'unknown top-level key',
    yaml: `version: 1
pipline:
  stages: []
`,
    expect: ["slipway.yaml:2:1: error: pipline: unknown key 'pipline' (did you mean 'pipeline'?)"],
  },
  {
    name: 'unknown job key',
    yaml: `jobs:
  build:
    run: make
    tiemout: 5m
`,
    expect: ["slipway.yaml:4:5: error: jobs.build.tiemout: unknown key 'tiemout' (did you mean 'timeout'?)"],
  },
  {
    name: 'unknown stage key',
    yaml: `jobs:
  build: { run: make }
pipeline:
  stages:
    - name: build
      paralel: [build]
`,
    expect: [
      "slipway.yaml:6:7: error: pipeline.stages[0].paralel: unknown key 'paralel' (did you mean 'parallel'?)",
    ],
  },
  {
    name: 'wrong version',
    yaml: 'version: 2\n',
    expect: ['slipway.yaml:1:10: error: version: expected 1, got number 2'],
  },
  {
    name: 'run is not a string',
    yaml: `jobs:
  build:
    run: [make, all]
`,
    expect: ['slipway.yaml:3:10: error: jobs.build.run: expected a string, got a list'],
  },
  {
    name: 'bad duration',
    yaml: `jobs:
  build:
    run: make
    timeout: 10 minutes
`,
    expect: [
      "slipway.yaml:4:14: error: jobs.build.timeout: invalid duration '10 minutes' (write e.g. 500ms, 30s, 10m, 1h30m)",
    ],
  },
  {
    name: 'duration with a repeated unit',
    yaml: `jobs:
  build: { run: make, timeout: 1m1m }
`,
    expect: ["slipway.yaml:2:32: error: jobs.build.timeout: invalid duration '1m1m' (a unit is repeated)"],
  },
  {
    name: 'number where a duration is expected',
    yaml: `jobs:
  build: { run: make, timeout: 30 }
`,
    expect: ['slipway.yaml:2:32: error: jobs.build.timeout: expected a duration such as 30s, 10m or 1h30m'],
  },
  {
    name: 'retry of the wrong type',
    yaml: `jobs:
  build: { run: make, retry: lots }
`,
    expect: ["slipway.yaml:2:30: error: jobs.build.retry: expected a number or a mapping, got string 'lots'"],
  },
  {
    name: 'retry count too large',
    yaml: `jobs:
  build: { run: make, retry: 50 }
`,
    expect: ['slipway.yaml:2:30: error: jobs.build.retry: must be at most 10, got number 50'],
  },
  {
    name: 'retry object with bad backoff',
    yaml: `jobs:
  build:
    run: make
    retry: { attempts: 3, backoff: soon }
`,
    expect: [
      "slipway.yaml:4:36: error: jobs.build.retry.backoff: invalid duration 'soon' (write e.g. 500ms, 30s, 10m, 1h30m)",
    ],
  },
  {
    name: 'continueOnError not a boolean',
    yaml: `jobs:
  build: { run: make, continueOnError: maybe }
`,
    expect: [
      "slipway.yaml:2:40: error: jobs.build.continueOnError: expected true or false, got string 'maybe'",
    ],
  },
  {
    name: 'job with neither run nor steps',
    yaml: `jobs:
  build:
    timeout: 5m
`,
    expect: ["slipway.yaml:2:3: error: jobs.build: job 'build' has nothing to run: give it `run` or `steps`"],
  },
  {
    name: 'job with both run and steps',
    yaml: `jobs:
  build:
    run: make
    steps:
      - { name: one, run: make one }
`,
    expect: ['slipway.yaml:4:5: error: jobs.build.steps: use either `run` or `steps`, not both'],
  },
  {
    name: 'step without run',
    yaml: `jobs:
  build:
    steps:
      - name: compile
`,
    expect: ["slipway.yaml:4:9: error: jobs.build.steps[0]: missing required key 'run'"],
  },
  {
    name: 'duplicate job id in the jobs map',
    yaml: `jobs:
  build: { run: make }
  build: { run: make again }
`,
    expect: ["slipway.yaml:3:3: error: duplicate key 'build': a key may appear only once in a mapping"],
  },
  {
    name: 'inline job reusing an id from the jobs map',
    yaml: `jobs:
  build: { run: make }
pipeline:
  stages:
    - name: build
      parallel:
        - build
        - name: build
          run: make twice
`,
    expect: [
      "slipway.yaml:8:17: error: pipeline.stages[0].parallel[1].name: duplicate job id 'build' (first defined at 2:3)",
    ],
  },
  {
    name: 'inline job without a name',
    yaml: `pipeline:
  stages:
    - name: build
      parallel:
        - run: make
`,
    expect: ["slipway.yaml:5:11: error: pipeline.stages[0].parallel[0]: missing required key 'name'"],
  },
  {
    name: 'job reference of the wrong type',
    yaml: `jobs:
  a: { run: make }
pipeline:
  stages:
    - name: build
      parallel: [a, 42]
`,
    expect: [
      'slipway.yaml:6:21: error: pipeline.stages[0].parallel[1]: expected a string or a mapping, got number 42',
    ],
  },
  {
    name: 'job used in two stages',
    yaml: `jobs:
  a: { run: make }
pipeline:
  stages:
    - { name: one, parallel: [a] }
    - { name: two, steps: [a] }
`,
    expect: ["slipway.yaml:6:28: error: pipeline.stages[1].steps[0]: job 'a' is already in stage 'one'"],
  },
  {
    name: 'duplicate stage name',
    yaml: `jobs:
  a: { run: make }
  b: { run: make }
pipeline:
  stages:
    - { name: build, parallel: [a] }
    - { name: build, parallel: [b] }
`,
    expect: [
      "slipway.yaml:7:15: error: pipeline.stages[1].name: duplicate stage name 'build' (first at 6:15)",
    ],
  },
  {
    name: 'stage with two kinds',
    yaml: `jobs:
  a: { run: make }
  b: { run: make }
pipeline:
  stages:
    - name: build
      parallel: [a]
      steps: [b]
`,
    expect: [
      'slipway.yaml:8:7: error: pipeline.stages[0].steps: a stage has one of `parallel`, `steps` or `environments`, not both `parallel` and `steps`',
    ],
  },
  {
    name: 'empty stage',
    yaml: `pipeline:
  stages:
    - name: build
`,
    expect: [
      "slipway.yaml:3:7: error: pipeline.stages[0]: stage 'build' is empty: give it `parallel`, `steps` or `environments`",
    ],
  },
  {
    name: 'needs an undefined job',
    yaml: `jobs:
  build: { run: make }
  test: { run: make test, needs: [biuld] }
`,
    expect: [
      "slipway.yaml:3:35: error: jobs.test.needs[0]: needs unknown job 'biuld' (did you mean 'build'?)",
    ],
  },
  {
    name: 'needs itself',
    yaml: `jobs:
  build: { run: make, needs: build }
`,
    expect: ["slipway.yaml:2:30: error: jobs.build.needs: job 'build' cannot need itself"],
  },
  {
    name: 'cycle in needs',
    yaml: `jobs:
  a: { run: make, needs: [c] }
  b: { run: make, needs: [a] }
  c: { run: make, needs: [b] }
`,
    expect: ['slipway.yaml:2:27: error: jobs.a.needs: cycle in needs: a -> c -> b -> a'],
  },
  {
    name: 'needs a job of a later stage',
    yaml: `jobs:
  build: { run: make, needs: [test] }
  test: { run: make test }
pipeline:
  stages:
    - { name: build, parallel: [build] }
    - { name: test, parallel: [test] }
`,
    expect: [
      "slipway.yaml:2:31: error: jobs.build.needs[0]: needs 'test', which runs in a later stage ('test')",
    ],
  },
  {
    name: 'environment listed twice',
    yaml: `pipeline:
  stages:
    - name: deploy
      environments:
        - staging: { run: ./deploy staging }
        - production: { approval: manual_approval, run: ./deploy production }
        - staging: { run: ./deploy staging }
`,
    expect: [
      "slipway.yaml:7:11: error: pipeline.stages[0].environments[2].staging: environment 'staging' is listed twice (first at 5:11)",
    ],
  },
  {
    name: 'unknown approval mode',
    yaml: `pipeline:
  stages:
    - name: deploy
      environments:
        - production: manuel
`,
    expect: [
      "slipway.yaml:5:23: error: pipeline.stages[0].environments[0].production: expected one of 'auto', 'manual_approval', got string 'manuel' (did you mean 'manual_approval'?)",
    ],
  },
  {
    name: 'environment entry with two names',
    yaml: `pipeline:
  stages:
    - name: deploy
      environments:
        - { dev: { run: ./deploy dev }, qa: { run: ./deploy qa } }
`,
    expect: [
      "slipway.yaml:5:11: error: pipeline.stages[0].environments[0]: an environment entry names exactly one environment, got 'dev', 'qa'",
    ],
  },
  {
    name: 'environment that deploys nothing is only a warning',
    yaml: `pipeline:
  stages:
    - name: deploy
      environments:
        - dev: auto
`,
    expect: [
      "slipway.yaml:5:11: warning: pipeline.stages[0].environments[0].dev: environment 'dev' deploys nothing: give it a `run` command",
    ],
  },
  {
    name: 'invalid job id',
    yaml: `jobs:
  9lives: { run: make }
`,
    expect: [
      "slipway.yaml:2:3: error: jobs.9lives: invalid name '9lives': must start with a letter or _ and contain only letters, digits, _ and -",
    ],
  },
  {
    name: 'bad environment variable name',
    yaml: `jobs:
  build:
    run: make
    env: { "MY VAR": x }
`,
    expect: [
      "slipway.yaml:4:12: error: jobs.build.env.MY VAR: invalid name 'MY VAR': invalid environment variable name",
    ],
  },
  {
    name: 'secret that is not a variable name',
    yaml: `jobs:
  publish: { run: npm publish, secrets: [npm-token] }
`,
    expect: ['slipway.yaml:2:42: error: jobs.publish.secrets[0]: must be an environment variable name'],
  },
  {
    name: 'empty matrix axis',
    yaml: `jobs:
  test:
    run: npm test
    matrix: { node: [] }
`,
    expect: ['slipway.yaml:4:21: error: jobs.test.matrix.node: a matrix axis needs at least one value'],
  },
  {
    name: 'matrix exclude naming an unknown axis',
    yaml: `jobs:
  test:
    run: npm test
    matrix:
      node: [18, 20]
      exclude: [{ nod: 18 }]
`,
    expect: [
      "slipway.yaml:6:19: error: jobs.test.matrix.exclude[0].nod: unknown matrix axis 'nod' (did you mean 'node'?)",
    ],
  },
  {
    name: 'cache without paths',
    yaml: `jobs:
  build:
    run: npm ci
    cache: { key: npm }
`,
    expect: ["slipway.yaml:4:5: error: jobs.build.cache: missing required key 'paths'"],
  },
  {
    name: 'YAML syntax error',
    yaml: `jobs:
  build: { run: make
pipeline: []
`,
    expect: [
      'slipway.yaml:3:1: error: YAML syntax: Flow map in block collection must be sufficiently indented and end with a }',
    ],
  },
  {
    name: 'tab indentation',
    yaml: 'jobs:\n\tbuild: { run: make }\n',
    expect: ['slipway.yaml:2:1: error: YAML does not allow tabs for indentation; use spaces'],
  },
  {
    name: 'top level is a list',
    yaml: '- build\n- test\n',
    expect: ['slipway.yaml:1:1: error: expected a mapping, got a list'],
  },
  {
    name: 'empty file',
    yaml: '# nothing here\n',
    expect: ['slipway.yaml:1:1: error: the file is empty (run `slipway init` for a starter)'],
  },
];

for (const c of INVALID) {
  test(`invalid config: ${c.name}`, () => {
    assert.deepEqual(render(c.yaml), c.expect);
  });
}

test('the invalid-config table has at least 30 cases with an error each', () => {
  const withErrors = INVALID.filter((c) => c.expect.some((line) => line.includes(': error: ')));
  assert.ok(withErrors.length >= 30, `${withErrors.length} cases`);
});

test('every problem is reported at once, schema and cross-field alike', () => {
  const lines = render(`jobs:
  a: { run: make, tiemout: 5s, needs: [zz] }
pipeline:
  stages:
    - { name: build, parallel: [a, b] }
`);
  assert.deepEqual(lines, [
    "slipway.yaml:2:19: error: jobs.a.tiemout: unknown key 'tiemout' (did you mean 'timeout'?)",
    "slipway.yaml:2:40: error: jobs.a.needs[0]: needs unknown job 'zz'",
    "slipway.yaml:5:36: error: pipeline.stages[0].parallel[1]: unknown job 'b'",
  ]);
});

test('the spine snippet with its jobs map validates, warning only about environments that deploy nothing', () => {
  const text = readFileSync(new URL('../../test/fixtures/spine-snippet.yaml', import.meta.url), 'utf8');
  const result = loadConfigText(text);
  assert.ok(result.config, 'config resolved');
  assert.equal(result.diagnostics.filter((d) => d.severity === 'error').length, 0);
  assert.equal(result.diagnostics.length, 3);
  assert.deepEqual(
    result.config.stages.map((s) => [s.name, s.kind]),
    [
      ['build', 'parallel'],
      ['test', 'parallel'],
      ['security', 'sequential'],
      ['deploy', 'deploy'],
    ],
  );
  const deploy = result.config.stages[3]!;
  assert.equal(deploy.kind, 'deploy');
  if (deploy.kind === 'deploy') {
    assert.deepEqual(
      deploy.environments.map((e) => [e.name, e.approval]),
      [
        ['dev', 'auto'],
        ['staging', 'auto'],
        ['production', 'manual_approval'],
      ],
    );
  }
});

test('normalization: durations, retries, needs, inline jobs and matrix', () => {
  const result = loadConfigText(`project: { name: demo }
jobs:
  build: { run: make, timeout: 1h30m, retry: 2, env: { DEBUG: 1, FAST: true } }
  test:
    run: make test
    needs: build
    retry: { attempts: 3, backoff: 2s }
    matrix: { node: [18, 20], failFast: false, exclude: [{ node: 18 }] }
pipeline:
  stages:
    - { name: build, parallel: [build] }
    - name: test
      steps:
        - test
        - { name: report, run: echo done, continueOnError: true }
`);
  assert.deepEqual(result.diagnostics, []);
  const jobs = result.config!.jobs;
  assert.equal(jobs.build!.timeoutMs, 5_400_000);
  assert.deepEqual(jobs.build!.retry, { maxAttempts: 3, backoffMs: 0 });
  assert.deepEqual(jobs.build!.env, { DEBUG: '1', FAST: 'true' });
  assert.deepEqual(jobs.test!.needs, ['build']);
  assert.deepEqual(jobs.test!.retry, { maxAttempts: 3, backoffMs: 2000 });
  assert.deepEqual(jobs.test!.matrix, {
    axes: { node: [18, 20] },
    include: [],
    exclude: [{ node: 18 }],
    failFast: false,
  });
  assert.equal(jobs.report!.stage, 'test');
  assert.equal(jobs.report!.continueOnError, true);
  assert.equal(result.config!.project.name, 'demo');
});

test('a file without pipeline runs every job in one stage by needs', () => {
  const result = loadConfigText('jobs:\n  a: { run: x }\n  b: { run: y, needs: a }\n', 'fallback');
  assert.equal(result.config!.project.name, 'fallback');
  assert.deepEqual(result.config!.stages, [
    { kind: 'parallel', name: 'default', jobs: ['a', 'b'], path: ['jobs'] },
  ]);
});

test('expressions: malformed conditions and templates, and needs a condition does not declare', () => {
  const lines = render(`jobs:
  build: { run: make }
  test:
    run: echo \${{ matrix.node ]] }}
    needs: [build]
    if: \${{ needs.lint.result == 'success' }}
  lint: { run: lint, if: "success( &&" }
`);
  assert.deepEqual(lines, [
    "slipway.yaml:4:10: error: jobs.test.run: invalid expression: Unexpected symbol: ']' at column 22",
    "slipway.yaml:6:9: error: jobs.test.if: reads needs.lint, but the job does not need 'lint'",
    "slipway.yaml:7:26: error: jobs.lint.if: invalid condition: Unexpected symbol: '&&' at column 10",
  ]);
});
