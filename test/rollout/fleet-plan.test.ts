// The fleet planner on plain data: waves in order with their hosts, steps, whole-percent shares
// summing to 100 and start rules, the rollback scope and the failover settings.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ResolvedFleet } from '../../src/config/resolved.js';
import { planFleet, totalHoldMs } from '../../src/rollout/fleet/fleet-plan.js';
import type { RolloutPlan } from '../../src/rollout/plan-rollout.js';
import type { RolloutStep } from '../../src/rollout/rollout-step.js';

const SEED: ResolvedFleet = {
  regions: {
    'us-east-1': ['use1-a', 'use1-b'],
    'eu-west-1': ['euw1-a', 'euw1-b'],
    'ap-southeast-1': ['apse1-a', 'apse1-b'],
  },
  waves: [
    { region: 'us-east-1', offsetMs: 0, traffic: 0.4 },
    { region: 'eu-west-1', offsetMs: 300_000, traffic: 0.3 },
    { region: 'ap-southeast-1', offsetMs: 600_000, traffic: 0.3 },
  ],
  failover: { strategy: 'automatic', healthThreshold: 0.95, switchoverMs: 30_000 },
  rollback: 'all',
};

const CANARY: RolloutPlan = {
  strategy: 'canary',
  steps: [
    { action: 'scaleUp', weights: { old: 100, next: 0 }, instances: { old: 2, next: 1 } },
    {
      action: 'traffic',
      weights: { old: 90, next: 10 },
      instances: { old: 2, next: 1 },
      durationMs: 60_000,
      analyze: true,
    },
    {
      action: 'traffic',
      weights: { old: 50, next: 50 },
      instances: { old: 2, next: 1 },
      durationMs: 120_000,
      analyze: true,
    },
    { action: 'promote', weights: { old: 0, next: 100 }, instances: { old: 2, next: 2 } },
    { action: 'scaleDown', weights: { next: 100 }, instances: { old: 0, next: 2 } },
  ],
};

// Plain data: what `--json` prints must survive JSON unchanged.
const viaJson = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

describe('planFleet', () => {
  test('the seed fleet: waves in order, hosts, shares, offsets, the wave before, rollback and failover', () => {
    const plan = planFleet(SEED, CANARY);
    assert.deepEqual(viaJson(plan), {
      waves: [
        {
          region: 'us-east-1',
          hosts: ['use1-a', 'use1-b'],
          traffic: 40,
          startsAtMs: 0,
          earliestStartMs: 0,
          steps: CANARY.steps,
        },
        {
          region: 'eu-west-1',
          hosts: ['euw1-a', 'euw1-b'],
          traffic: 30,
          startsAtMs: 300_000,
          after: 'us-east-1',
          earliestStartMs: 300_000,
          steps: CANARY.steps,
        },
        {
          region: 'ap-southeast-1',
          hosts: ['apse1-a', 'apse1-b'],
          traffic: 30,
          startsAtMs: 600_000,
          after: 'eu-west-1',
          earliestStartMs: 600_000,
          steps: CANARY.steps,
        },
      ],
      rollback: 'all',
      failover: { strategy: 'automatic', healthThreshold: 95, switchoverMs: 30_000 },
    });
    assert.equal('after' in plan.waves[0]!, false, 'the first wave waits for nothing');
  });

  test('shares that do not divide evenly are whole percents summing to 100 (largest remainder)', () => {
    const thirds: ResolvedFleet = {
      ...SEED,
      waves: SEED.waves.map((w) => ({ ...w, traffic: 1 / 3 })),
    };
    assert.deepEqual(
      planFleet(thirds, CANARY).waves.map((w) => w.traffic),
      [34, 33, 33],
    );
    const uneven: ResolvedFleet = {
      ...SEED,
      waves: [
        { region: 'us-east-1', offsetMs: 0, traffic: 0.455 },
        { region: 'eu-west-1', offsetMs: 0, traffic: 0.455 },
        { region: 'ap-southeast-1', offsetMs: 0, traffic: 0.09 },
      ],
    };
    const shares = planFleet(uneven, CANARY).waves.map((w) => w.traffic);
    assert.deepEqual(shares, [46, 45, 9]);
    assert.equal(
      shares.reduce((a, b) => a + b, 0),
      100,
    );
  });

  test('a wave starts at its offset, or once the wave before can have completed its holds, whichever is later', () => {
    assert.equal(totalHoldMs(CANARY.steps), 180_000);
    const tight: ResolvedFleet = {
      ...SEED,
      waves: [
        { region: 'us-east-1', offsetMs: 60_000, traffic: 0.4 },
        { region: 'eu-west-1', offsetMs: 120_000, traffic: 0.3 },
        { region: 'ap-southeast-1', offsetMs: 900_000, traffic: 0.3 },
      ],
    };
    const waves = planFleet(tight, CANARY).waves;
    assert.deepEqual(
      waves.map((w) => [w.region, w.startsAtMs, w.after, w.earliestStartMs]),
      [
        ['us-east-1', 60_000, undefined, 60_000],
        // us-east-1 starts at 1m and holds 3m: eu-west-1 cannot start before 4m, though its offset is 2m.
        ['eu-west-1', 120_000, 'us-east-1', 240_000],
        // eu-west-1 can complete at 7m; the offset of 15m is later.
        ['ap-southeast-1', 900_000, 'eu-west-1', 900_000],
      ],
    );
  });

  test('rollback region and manual failover with a fractional threshold are carried over as they are', () => {
    const plan = planFleet(
      {
        ...SEED,
        rollback: 'region',
        failover: { strategy: 'manual', healthThreshold: 0.995, switchoverMs: 60_000 },
      },
      CANARY,
    );
    assert.equal(plan.rollback, 'region');
    assert.deepEqual(plan.failover, { strategy: 'manual', healthThreshold: 99.5, switchoverMs: 60_000 });
  });

  test('the hooks run once per rollout: preDeploy in the first wave only, postDeploy in the last only', () => {
    const hooked: RolloutPlan = {
      strategy: 'canary',
      steps: [
        { action: 'preDeploy', weights: { old: 100, next: 0 }, instances: { old: 2, next: 0 } },
        ...CANARY.steps,
        { action: 'postDeploy', weights: { next: 100 }, instances: { old: 0, next: 2 } },
      ],
    };
    assert.deepEqual(
      planFleet(SEED, hooked).waves.map((w) => [w.region, w.steps.map((s) => s.action)]),
      [
        ['us-east-1', ['preDeploy', 'scaleUp', 'traffic', 'traffic', 'promote', 'scaleDown']],
        ['eu-west-1', ['scaleUp', 'traffic', 'traffic', 'promote', 'scaleDown']],
        ['ap-southeast-1', ['scaleUp', 'traffic', 'traffic', 'promote', 'scaleDown', 'postDeploy']],
      ],
    );
  });

  test('one region and nothing to deploy: one wave with no steps, all the traffic', () => {
    const single: ResolvedFleet = {
      regions: { 'eu-west-1': ['euw1-a'] },
      waves: [{ region: 'eu-west-1', offsetMs: 0, traffic: 1 }],
      failover: { strategy: 'manual', healthThreshold: 0.95, switchoverMs: 30_000 },
      rollback: 'all',
    };
    const none: RolloutPlan = { strategy: 'rolling', steps: [] as RolloutStep[] };
    assert.deepEqual(planFleet(single, none).waves, [
      { region: 'eu-west-1', hosts: ['euw1-a'], traffic: 100, startsAtMs: 0, earliestStartMs: 0, steps: [] },
    ]);
  });
});
