// `slipway flags rollout` through each external flag service, as users run it: the strategy's
// settings and the secret it names reach the provider, which makes exactly the documented calls
// (LaunchDarkly's checked against its published OpenAPI description by the stand-in), stage by
// stage; a secret set nowhere is refused before any call.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  type LaunchDarklyReceiver,
  startLaunchDarklyReceiver,
} from '../flags/providers/receivers/launchdarkly-receiver.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'bin/slipway.js');
const TOKEN = 'api-7d2e4c1a-0b9f-4e3d-8a6c-5f1e2d3c4b5a';
const CLASSIC = '0f6d3b2a-1c4e-4f5a-9b8c-7d6e5f4a3b2c';
const ONE_PAGE = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';

const config = (strategy: string) => `version: 1
services:
  web: { run: node server.mjs }
environments:
  prod:
    strategy:
      featureFlag:
        flag: checkout-flow
        variant: one-page
        stages: [{ traffic: 10, duration: 100ms }, { traffic: 50, duration: 100ms }]
        metrics: []
${strategy}
`;

function slipway(dir: string, env: Record<string, string>, ...args: string[]) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [bin, ...args],
      { cwd: dir, env: { ...process.env, NO_COLOR: '1', SLIPWAY_ACTOR: 'tester', ...env }, timeout: 60_000 },
      (error, stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('slipway flags rollout with an external flag service', { timeout: 120_000 }, () => {
  let ld: LaunchDarklyReceiver;
  const dirs: string[] = [];
  const project = (yaml: string) => {
    const dir = mkdtempSync(join(tmpdir(), 'slipway-flag-providers-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'slipway.yaml'), yaml);
    return dir;
  };
  before(async () => {
    ld = await startLaunchDarklyReceiver(TOKEN);
  });
  after(async () => {
    await ld.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  test('LaunchDarkly: one read, then a semantic patch of the default rule per stage, every call as described', async () => {
    ld.flags.set('shop/checkout-flow', {
      key: 'checkout-flow',
      variations: [
        { _id: CLASSIC, value: 'classic', name: 'classic' },
        { _id: ONE_PAGE, value: 'one-page', name: 'one-page' },
      ],
      environments: { production: { on: true, fallthrough: { variation: 0 }, offVariation: 0, version: 1 } },
    });
    const dir = project(
      config(`        provider: launchdarkly
        launchdarkly: { project: shop, environment: production, baseUrl: "${ld.baseUrl}", token: LD_TOKEN }`),
    );
    const start = ld.calls().length;
    const result = await slipway(dir, { LD_TOKEN: TOKEN }, 'flags', 'rollout', 'checkout-flow');
    assert.equal(result.code, 0, result.stderr + result.stdout);
    assert.deepEqual(ld.violations, []);
    assert.deepEqual(ld.calls().slice(start), [
      'GET /api/v2/flags/shop/checkout-flow?env=production',
      'PATCH /api/v2/flags/shop/checkout-flow',
      'PATCH /api/v2/flags/shop/checkout-flow',
      'PATCH /api/v2/flags/shop/checkout-flow',
    ]);
    const weights = ld
      .bodies()
      .slice(start + 1)
      .map(
        (b) =>
          (b as { instructions: { rolloutWeights: Record<string, number> }[] }).instructions[0]
            ?.rolloutWeights,
      );
    assert.deepEqual(weights, [
      { [ONE_PAGE]: 10_000, [CLASSIC]: 90_000 },
      { [ONE_PAGE]: 50_000, [CLASSIC]: 50_000 },
      { [ONE_PAGE]: 100_000, [CLASSIC]: 0 },
    ]);
    assert.match(result.stdout, /flag rollout completed/);
  });

  test('LaunchDarkly: a token set nowhere is refused before any call', async () => {
    const dir = project(
      config(`        provider: launchdarkly
        launchdarkly: { project: shop, environment: production, baseUrl: "${ld.baseUrl}", token: LD_MISSING }`),
    );
    const start = ld.calls().length;
    const result = await slipway(dir, {}, 'flags', 'rollout', 'checkout-flow');
    assert.notEqual(result.code, 0);
    assert.match(
      result.stderr,
      /LD_MISSING is set neither in the environment nor in \.slipway\/secrets\.env/,
    );
    assert.doesNotMatch(result.stderr, /at .*\.js:\d+/, 'no stack trace');
    assert.equal(ld.calls().length, start);
  });

  test('custom: the command gets the flag, the variant and each share, as arguments and variables', async () => {
    const dir = project(
      config(`        provider: custom
        baseline: classic
        custom: { command: ./set-share.sh, timeout: 10s }`),
    );
    writeFileSync(
      join(dir, 'set-share.sh'),
      '#!/bin/sh\necho "$1 $2 $3 $SLIPWAY_FLAG_BASELINE $SLIPWAY_FLAG_PERCENT" >> shares.log\n',
    );
    chmodSync(join(dir, 'set-share.sh'), 0o755);
    const result = await slipway(dir, {}, 'flags', 'rollout', 'checkout-flow', '--env', 'prod');
    assert.equal(result.code, 0, result.stderr + result.stdout);
    assert.deepEqual(readFileSync(join(dir, 'shares.log'), 'utf8').trim().split('\n'), [
      'checkout-flow one-page 10 classic 10',
      'checkout-flow one-page 50 classic 50',
      'checkout-flow one-page 100 classic 100',
    ]);
  });

  test('a flag no strategy rolls out is a clear error', async () => {
    const dir = project(config('        provider: custom\n        custom: { command: "true" }'));
    const result = await slipway(dir, {}, 'flags', 'rollout', 'other-flag');
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /no service rolls out flag 'other-flag'/);
  });
});
