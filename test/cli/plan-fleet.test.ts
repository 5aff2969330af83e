// `slipway plan` for an environment with hosts, run in-process: the waves (region, start, share,
// hosts) with each wave's steps, what a failure rolls back and the failover settings, in text and
// in JSON; and an environment without hosts planning exactly as before the fleet existed (the
// expected text below was printed by the code before this feature, for examples/hello).
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, test } from 'node:test';
import { main } from '../../src/cli/main.js';
import { captureIo } from '../helpers/capture-io.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const SEED = `hosts:
  use1-a: { address: ssh://deploy@10.1.0.11, region: us-east-1 }
  use1-b: { address: ssh://deploy@10.1.0.12, region: us-east-1 }
  euw1-a: { address: ssh://deploy@10.2.0.11, region: eu-west-1 }
  euw1-b: { address: ssh://deploy@10.2.0.12, region: eu-west-1 }
  apse1-a: { address: ssh://deploy@10.3.0.11, region: ap-southeast-1 }
  apse1-b: { address: ssh://deploy@10.3.0.12, region: ap-southeast-1 }
regions:
  primary: { region: us-east-1, deployment: immediate, traffic: 40% }
  secondary:
    - { region: eu-west-1, deployment: '+5m', traffic: 30% }
    - { region: ap-southeast-1, deployment: '+10m', traffic: 30% }
  failover: { strategy: automatic, health_threshold: 95%, switchover_time: < 30s }
`;
const CONFIG = `${SEED}services:
  web:
    run: node server.mjs
    source: app
    instances: 3
    health:
      readiness: { http: /healthz, period: 200ms }
environments:
  production:
    strategy:
      canary:
        stages:
          - { traffic: 10, duration: 1m }
          - { traffic: 50 }
          - { traffic: 100 }
    hooks: { preDeploy: "true" }
  staging: { rollback: region }
  dev: { hosts: [] }
`;

interface Step {
  action: string;
  weights: Record<string, number>;
  instances: Record<string, number>;
}

describe('slipway plan with a fleet', { timeout: 60_000 }, () => {
  const dirs: string[] = [];
  after(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
  });
  const scratch = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'slipway-plan-fleet-'));
    dirs.push(dir);
    return dir;
  };
  const fleetProject = (): string => {
    const dir = scratch();
    cpSync(join(ROOT, 'test', 'platform', 'fixtures', 'app'), join(dir, 'app'), { recursive: true });
    writeFileSync(join(dir, 'slipway.yaml'), CONFIG);
    return dir;
  };
  const slipway = async (cwd: string, ...args: string[]) => {
    const io = captureIo(cwd, { ...process.env, NO_COLOR: '1' });
    const code = await main(args, io);
    return { code, out: io.out(), err: io.err() };
  };
  const nextOf = (json: string): string => {
    const steps = (JSON.parse(json) as { steps: Step[] }).steps;
    const next = Object.keys(steps[0]!.instances)[0]!;
    assert.match(next, /^r-[0-9a-f]{12}$/);
    return next;
  };

  test('text: one line per wave with its start, share and hosts, its steps, then failure and failover', async () => {
    const dir = fleetProject();
    const json = await slipway(dir, 'plan', 'web', '--env', 'production', '--json');
    assert.equal(json.code, 0, json.err);
    const next = nextOf(json.out);
    const { code, out, err } = await slipway(dir, 'plan', 'web', '--env', 'production');
    assert.equal(code, 0, err);
    assert.equal(err, '');
    // The action column is as wide as the widest action of the wave: preDeploy only runs in the first.
    const step = (n: number, action: string, weight: number, instances: number, width = 7) =>
      `  ${n}.  ${action.padEnd(width)}  weights ${next} ${`${weight}%`.padEnd(4)}  instances ${next} ${instances}`;
    assert.equal(
      out,
      [
        `web to production: canary, first deploy of ${next} (3 instance(s) per host, 6 hosts in 3 regions)`,
        'Wave 1  us-east-1       immediate                        40% of traffic  use1-a, use1-b',
        step(1, 'preDeploy', 0, 0, 9),
        step(2, 'scaleUp', 0, 3, 9),
        step(3, 'promote', 100, 3, 9),
        'Wave 2  eu-west-1       +5m, after us-east-1 completes   30% of traffic  euw1-a, euw1-b',
        step(1, 'scaleUp', 0, 3),
        step(2, 'promote', 100, 3),
        'Wave 3  ap-southeast-1  +10m, after eu-west-1 completes  30% of traffic  apse1-a, apse1-b',
        step(1, 'scaleUp', 0, 3),
        step(2, 'promote', 100, 3),
        'On failure: the rollout stops, no later wave starts, and every region changed so far rolls back (rollback: all)',
        "Failover: automatic when under 95% of a region's health checks pass; switchover < 30s",
        '',
      ].join('\n'),
    );

    const staging = await slipway(dir, 'plan', 'web', '--env', 'staging');
    assert.equal(staging.code, 0, staging.err);
    assert.match(
      staging.out,
      /^Wave 2 +eu-west-1 +\+5m, after us-east-1 completes +30% of traffic +euw1-a, euw1-b$/m,
    );
    assert.match(
      staging.out,
      /^On failure: the rollout stops, no later wave starts, and only the failing region rolls back, the regions before it keep the new revision \(rollback: region\)$/m,
    );
  });

  test('JSON: the fields of today unchanged, plus a fleet object with the waves, rollback and failover', async () => {
    const dir = fleetProject();
    const { code, out, err } = await slipway(dir, 'plan', 'web', '--env', 'production', '--json');
    assert.equal(code, 0, err);
    const next = nextOf(out);
    const at = (weight: number, instances: number) => ({
      weights: { [next]: weight },
      instances: { [next]: instances },
    });
    const body = [
      { action: 'scaleUp', ...at(0, 3) },
      { action: 'promote', ...at(100, 3) },
    ];
    const steps = [{ action: 'preDeploy', ...at(0, 0) }, ...body];
    const plan = JSON.parse(out) as Record<string, unknown>;
    assert.deepEqual(Object.keys(plan), ['service', 'env', 'strategy', 'steps', 'fleet']);
    assert.deepEqual(plan, {
      service: 'web',
      env: 'production',
      strategy: 'canary',
      steps,
      fleet: {
        waves: [
          {
            region: 'us-east-1',
            hosts: ['use1-a', 'use1-b'],
            traffic: 40,
            startsAtMs: 0,
            earliestStartMs: 0,
            steps,
          },
          {
            region: 'eu-west-1',
            hosts: ['euw1-a', 'euw1-b'],
            traffic: 30,
            startsAtMs: 300_000,
            after: 'us-east-1',
            earliestStartMs: 300_000,
            steps: body,
          },
          {
            region: 'ap-southeast-1',
            hosts: ['apse1-a', 'apse1-b'],
            traffic: 30,
            startsAtMs: 600_000,
            after: 'eu-west-1',
            earliestStartMs: 600_000,
            steps: body,
          },
        ],
        rollback: 'all',
        failover: { strategy: 'automatic', healthThreshold: 95, switchoverMs: 30_000 },
      },
    });
    const staging = await slipway(dir, 'plan', 'web', '--env', 'staging', '--json');
    assert.equal((JSON.parse(staging.out) as { fleet: { rollback: string } }).fleet.rollback, 'region');
  });

  test('an environment with `hosts: []` in the same file plans as it did before: no fleet, no waves', async () => {
    const dir = fleetProject();
    const json = await slipway(dir, 'plan', 'web', '--env', 'dev', '--json');
    assert.equal(json.code, 0, json.err);
    const next = nextOf(json.out);
    assert.equal(
      json.out,
      `{"service":"web","env":"dev","strategy":"rolling","steps":[{"action":"scaleUp","weights":{"${next}":0},"instances":{"${next}":3}},{"action":"promote","weights":{"${next}":100},"instances":{"${next}":3}}]}\n`,
    );
    const text = await slipway(dir, 'plan', 'web', '--env', 'dev');
    assert.equal(
      text.out,
      [
        `web to dev: rolling, first deploy of ${next} (3 instance(s))`,
        `  1.  scaleUp  weights ${next} 0%    instances ${next} 3`,
        `  2.  promote  weights ${next} 100%  instances ${next} 3`,
        '',
      ].join('\n'),
    );
  });

  test('examples/hello (no hosts) prints byte for byte what it printed before the fleet', async () => {
    const dir = scratch();
    cpSync(join(ROOT, 'examples', 'hello'), dir, { recursive: true });
    // Captured from `slipway plan hello --env ENV [--json]` before this feature; R is the revision id.
    const before: Record<string, { text: string; json: string }> = {
      dev: {
        text: 'hello to dev: rolling, first deploy of @R@ (2 instance(s))\n  1.  scaleUp  weights @R@ 0%    instances @R@ 2\n  2.  promote  weights @R@ 100%  instances @R@ 2\n',
        json: '{"service":"hello","env":"dev","strategy":"rolling","steps":[{"action":"scaleUp","weights":{"@R@":0},"instances":{"@R@":2}},{"action":"promote","weights":{"@R@":100},"instances":{"@R@":2}}]}\n',
      },
      staging: {
        text: 'hello to staging: blueGreen, first deploy of @R@ (2 instance(s))\n  1.  scaleUp  weights @R@ 0%    instances @R@ 2\n  2.  promote  weights @R@ 100%  instances @R@ 2\n',
        json: '{"service":"hello","env":"staging","strategy":"blueGreen","steps":[{"action":"scaleUp","weights":{"@R@":0},"instances":{"@R@":2}},{"action":"promote","weights":{"@R@":100},"instances":{"@R@":2}}]}\n',
      },
      production: {
        text: 'hello to production: canary, first deploy of @R@ (2 instance(s))\n  1.  scaleUp  weights @R@ 0%    instances @R@ 2\n  2.  smoke    weights @R@ 0%    instances @R@ 2\n  3.  promote  weights @R@ 100%  instances @R@ 2\n',
        json: '{"service":"hello","env":"production","strategy":"canary","steps":[{"action":"scaleUp","weights":{"@R@":0},"instances":{"@R@":2}},{"action":"smoke","weights":{"@R@":0},"instances":{"@R@":2}},{"action":"promote","weights":{"@R@":100},"instances":{"@R@":2}}]}\n',
      },
    };
    for (const [env, expected] of Object.entries(before)) {
      const json = await slipway(dir, 'plan', 'hello', '--env', env, '--json');
      assert.equal(json.code, 0, json.err);
      const next = nextOf(json.out);
      assert.equal(json.out, expected.json.replaceAll('@R@', next), env);
      const text = await slipway(dir, 'plan', 'hello', '--env', env);
      assert.equal(text.code, 0, text.err);
      assert.equal(text.out, expected.text.replaceAll('@R@', next), env);
    }
  });
});
