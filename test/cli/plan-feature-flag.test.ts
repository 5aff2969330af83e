// `slipway plan` for an environment rolled out by feature flag, run in-process: the revision's
// replacement steps, then the flag's shares, in text and in JSON.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';
import { main } from '../../src/cli/main.js';
import { captureIo } from '../helpers/capture-io.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const CONFIG = `services:
  web: { run: node server.mjs, source: app, instances: 2 }
environments:
  production:
    strategy:
      featureFlag:
        flag: new-checkout
        variant: on
        stages: [{ traffic: 5, duration: 10m }, { traffic: 50, duration: 2m }]
flags:
  flags:
    new-checkout: { state: ENABLED, variants: { on: true, off: false }, defaultVariant: off }
`;

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
});

test('slipway plan: a feature flag rollout shows the replacement, then the shares of the flag', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-plan-flag-'));
  dirs.push(dir);
  cpSync(join(ROOT, 'test', 'platform', 'fixtures', 'app'), join(dir, 'app'), { recursive: true });
  writeFileSync(join(dir, 'slipway.yaml'), CONFIG);
  const slipway = async (...args: string[]) => {
    const io = captureIo(dir, { ...process.env, NO_COLOR: '1' });
    const code = await main(args, io);
    return { code, out: io.out(), err: io.err() };
  };
  const text = await slipway('plan', 'web', '--env', 'production');
  assert.equal(text.code, 0, text.err);
  assert.match(
    text.out,
    /^web to production: featureFlag, first deploy of r-[0-9a-f]{12} \(2 instance\(s\)\)$/m,
  );
  assert.match(
    text.out,
    /^then flag new-checkout \(slipway\): on against the default variant, 5% \(hold 10m with analysis\), 50% \(hold 2m with analysis\), 100%$/m,
  );
  const json = await slipway('plan', 'web', '--env', 'production', '--json');
  assert.equal(json.code, 0, json.err);
  const data = JSON.parse(json.out) as { strategy: string; flag: unknown };
  assert.equal(data.strategy, 'featureFlag');
  assert.deepEqual(data.flag, {
    provider: 'slipway',
    flag: 'new-checkout',
    variant: 'on',
    steps: [
      { percent: 5, holdMs: 600_000 },
      { percent: 50, holdMs: 120_000 },
      { percent: 100, holdMs: 0 },
    ],
  });
});
