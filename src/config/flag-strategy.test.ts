import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { formatDiagnostic } from './diagnostic.js';
import { loadConfigFile, loadConfigText } from './load-config.js';

const render = (text: string) =>
  loadConfigText(text).diagnostics.map((d) => formatDiagnostic('slipway.yaml', d));

const FLAGS = `flags:
  flags:
    new-checkout: { state: ENABLED, variants: { on: true, off: false }, defaultVariant: off }
    banner: { state: ENABLED, variants: { red: red, blue: blue }, defaultVariant: red }
  $evaluators:
    dutch: { in: [{ var: country }, [NL]] }
`;
const REPLACE = {
  kind: 'rolling',
  batchSize: { value: 25, percent: true },
  maxSurge: { value: 25, percent: true },
  maxUnavailable: { value: 0, percent: false },
  batchIntervalMs: 0,
  metrics: [],
  autoRollback: true,
};
const ERROR_RATE = { name: 'error_rate', provider: { kind: 'router' }, max: 1 };

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

test('featureFlag: the example resolves, shares in percent and durations in ms, replaced by a plain rolling update', () => {
  const result = loadConfigText(`environments:
  production:
    strategy:
      featureFlag:
        provider: slipway
        flag: new-checkout
        variant: on
        baseline: off
        stages: [{ traffic: 5, duration: 10m }, { traffic: 50%, duration: 10m }]
        metrics: [error_rate]
        autoRollback: false
        targeting: { "in": [{ "var": "country" }, ["NL", "BE"]] }
        gradualRollout: true
  staging:
    strategy:
      featureFlag: { flag: banner, variant: blue }
${FLAGS}`);
  assert.deepEqual(result.diagnostics, []);
  const envs = result.config!.environments;
  assert.deepEqual(envs.production!.strategy, {
    kind: 'featureFlag',
    provider: 'slipway',
    flag: 'new-checkout',
    variant: 'on',
    baseline: 'off',
    stages: [
      { traffic: 5, durationMs: 600_000 },
      { traffic: 50, durationMs: 600_000 },
    ],
    metrics: [ERROR_RATE],
    autoRollback: false,
    targeting: { in: [{ var: 'country' }, ['NL', 'BE']] },
    gradualRollout: true,
    replace: REPLACE,
  });
  assert.deepEqual(envs.staging!.strategy, {
    kind: 'featureFlag',
    provider: 'slipway',
    flag: 'banner',
    variant: 'blue',
    stages: [
      { traffic: 10, durationMs: 300_000 },
      { traffic: 50, durationMs: 300_000 },
    ],
    metrics: [ERROR_RATE],
    autoRollback: true,
    gradualRollout: true,
    replace: REPLACE,
  });
});

test('featureFlag: LaunchDarkly, Split and a command resolve with their defaults; their flags are not checked here', () => {
  const { config, diagnostics } = loadConfigText(`environments:
  ld:
    strategy:
      featureFlag:
        provider: launchdarkly
        flag: checkout-v2
        variant: "true"
        launchdarkly: {}
  split:
    strategy:
      featureFlag:
        provider: split
        flag: checkout_v2
        variant: treatment
        baseline: control
        split: { workspace: ws-1, environment: Production }
  custom:
    strategy:
      featureFlag:
        provider: custom
        flag: checkout
        variant: 1
        gradualRollout: false
        custom: { command: ./set-flag-share.sh }
`);
  assert.deepEqual(diagnostics, []);
  const pick = (env: string) => {
    const s = config!.environments[env]!.strategy;
    assert.equal(s.kind, 'featureFlag');
    if (s.kind !== 'featureFlag') throw new Error('unreachable');
    return s;
  };
  assert.deepEqual(pick('ld').launchdarkly, {
    project: 'default',
    environment: 'production',
    baseUrl: 'https://app.launchdarkly.com',
    token: 'LD_API_TOKEN',
  });
  assert.equal(pick('ld').variant, 'true');
  assert.deepEqual(pick('split').split, {
    workspace: 'ws-1',
    environment: 'Production',
    baseUrl: 'https://api.split.io',
    token: 'SPLIT_ADMIN_API_KEY',
  });
  assert.equal(pick('split').baseline, 'control');
  assert.deepEqual(pick('custom').custom, { command: './set-flag-share.sh', timeoutMs: 30_000 });
  assert.equal(pick('custom').variant, '1', 'a variant YAML reads as a number is its name');
  assert.equal(pick('custom').gradualRollout, false);
});

test('featureFlag: stages grow, each provider has its own settings and no other', () => {
  assert.deepEqual(
    render(`environments:
  a:
    strategy:
      featureFlag:
        provider: launchdarkly
        flag: x
        variant: on
        stages: [{ traffic: 0 }, { traffic: 50 }, { traffic: 20 }, { traffic: 100 }, { traffic: 100 }]
  b:
    strategy:
      featureFlag:
        provider: custom
        flag: x
        variant: on
        baseline: on
        custom: { command: ./x }
        split: { workspace: w, environment: e }
  c:
    strategy:
      featureFlag: { flag: new-checkout, variant: on }
      canary: {}
${FLAGS}`),
    [
      'slipway.yaml:5:19: error: environments.a.strategy.featureFlag.provider: provider `launchdarkly` needs its settings: add `launchdarkly:` beside `provider`',
      'slipway.yaml:8:29: error: environments.a.strategy.featureFlag.stages[0].traffic: a stage gives the variant some users: use more than 0%',
      'slipway.yaml:8:62: error: environments.a.strategy.featureFlag.stages[2].traffic: each stage needs a larger share than the one before (50%), got 20%',
      'slipway.yaml:8:97: error: environments.a.strategy.featureFlag.stages[4].traffic: no stage can follow a stage at 100%',
      "slipway.yaml:15:19: error: environments.b.strategy.featureFlag.baseline: the baseline is the variant rolled out ('on'): the other users need another variant",
      "slipway.yaml:17:9: error: environments.b.strategy.featureFlag.split: `split` settings apply to `provider: split` only (this strategy's provider is `custom`)",
      'slipway.yaml:20:7: error: environments.c.strategy.featureFlag: a strategy has one of `canary`, `blueGreen`, `rolling` or `featureFlag`, not both `canary` and `featureFlag`',
    ],
  );
});

test('featureFlag: with the slipway provider the flag is one of flags: and the variants are its own', () => {
  assert.deepEqual(
    render(`services:
  web:
    run: node server.js
    deploy:
      production:
        strategy:
          featureFlag: { flag: new-chekout, variant: on }
environments:
  production:
    strategy:
      featureFlag: { flag: new-checkout, variant: yes, baseline: of }
  staging:
    strategy:
      featureFlag: { flag: banner, variant: blue, targeting: { if: [{ $ref: duch }, true, false] } }
  dev:
    strategy:
      featureFlag: { flag: banner, variant: blue, targeting: { in: 1 } }
${FLAGS}`),
    [
      "slipway.yaml:7:32: error: services.web.deploy.production.strategy.featureFlag.flag: no flag 'new-chekout' under `flags:` (did you mean 'new-checkout'?) (flags: new-checkout, banner)",
      "slipway.yaml:11:51: error: environments.production.strategy.featureFlag.variant: flag 'new-checkout' has no variant 'yes' (variants: on, off)",
      "slipway.yaml:11:66: error: environments.production.strategy.featureFlag.baseline: flag 'new-checkout' has no variant 'of' (variants: on, off)",
      "slipway.yaml:14:77: error: environments.staging.strategy.featureFlag.targeting.if[0].$ref: '$ref' names no evaluator 'duch' ($evaluators: dutch)",
      'slipway.yaml:17:68: error: environments.dev.strategy.featureFlag.targeting.in: must be array',
    ],
  );
});

test('featureFlag: without flags: the slipway provider has no flag to roll out', () => {
  assert.deepEqual(
    render(`environments:
  production:
    strategy:
      featureFlag: { flag: new-checkout, variant: on }
`),
    [
      "slipway.yaml:4:28: error: environments.production.strategy.featureFlag.flag: no flag 'new-checkout': the config has no `flags:` section (declare the flag there, or choose another `provider`)",
    ],
  );
});

test('featureFlag: flags of source files count, and a source that cannot be read hides no flag', () => {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-flag-strategy-'));
  dirs.push(dir);
  mkdirSync(join(dir, 'flags'));
  writeFileSync(
    join(dir, 'flags', 'checkout.json'),
    '{ "flags": { "new-checkout": { "state": "ENABLED", "variants": { "on": true, "off": false }, "defaultVariant": "off" } } }\n',
  );
  const config = (sources: string, variant: string) => `environments:
  production:
    strategy:
      featureFlag: { flag: new-checkout, variant: ${variant} }
flags:
  sources: [${sources}]
`;
  const load = (text: string) => {
    writeFileSync(join(dir, 'slipway.yaml'), text);
    return loadConfigFile(join(dir, 'slipway.yaml')).diagnostics.map((d) =>
      formatDiagnostic('slipway.yaml', d),
    );
  };
  assert.deepEqual(load(config('flags/*.json', 'on')), []);
  assert.deepEqual(load(config('flags/*.json', 'maybe')), [
    "slipway.yaml:4:51: error: environments.production.strategy.featureFlag.variant: flag 'new-checkout' has no variant 'maybe' (variants: on, off)",
  ]);
  // The flag may be in the file that is missing: only the source is reported.
  assert.deepEqual(load(config('flag/*.json', 'on')), [
    "slipway.yaml:6:13: error: flags.sources[0]: 'flag/*.json' matches no file (sources are relative to the config file's directory)",
  ]);
});

test('featureFlag: a schema error elsewhere still reports an unknown flag', () => {
  assert.deepEqual(
    render(`environments:
  production:
    port: http
    strategy:
      featureFlag: { flag: nope, variant: on }
${FLAGS}`),
    [
      "slipway.yaml:3:11: error: environments.production.port: expected a number, got string 'http'",
      "slipway.yaml:5:28: error: environments.production.strategy.featureFlag.flag: no flag 'nope' under `flags:` (flags: new-checkout, banner)",
    ],
  );
});

test('featureFlag: the fixture of a feature flag rollout loads clean', () => {
  const text = readFileSync(
    new URL('../../test/fixtures/feature-flag-rollout.yaml', import.meta.url),
    'utf8',
  );
  const { config, diagnostics } = loadConfigText(text);
  assert.deepEqual(diagnostics, []);
  assert.equal(config?.environments.production?.strategy.kind, 'featureFlag');
  assert.equal(config?.deployOverrides.web?.staging?.strategy?.kind, 'featureFlag');
  assert.deepEqual(Object.keys(config?.flags?.document.flags ?? {}), ['new-checkout']);
});

test('featureFlag: shares are whole percents except for LaunchDarkly, and targeting gates Slipway flags only', () => {
  const lines = render(`environments:
  production:
    strategy:
      featureFlag:
        flag: new-checkout
        variant: on
        stages: [{ traffic: 2.5, duration: 1m }]
  staging:
    strategy:
      featureFlag:
        provider: split
        flag: checkout
        variant: on
        targeting: { "in": [{ "var": "country" }, ["NL"]] }
        split: { workspace: ws, environment: prod, token: SPLIT_KEY }
  qa:
    strategy:
      featureFlag:
        provider: launchdarkly
        flag: checkout
        variant: on
        stages: [{ traffic: 0.5, duration: 1m }]
        launchdarkly: { project: default, environment: qa, token: LD_TOKEN }
${FLAGS}`);
  assert.deepEqual(lines, [
    'slipway.yaml:7:29: error: environments.production.strategy.featureFlag.stages[0].traffic: provider `slipway` takes whole percents, got 2.5%',
    "slipway.yaml:14:9: error: environments.staging.strategy.featureFlag.targeting: `targeting` gates Slipway's own flags only; with `provider: split` set who takes part in the flag service itself",
  ]);
});
