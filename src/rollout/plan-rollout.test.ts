import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ResolvedChecks, ResolvedRollingStrategy, ResolvedStrategy } from '../config/resolved.js';
import { planRollout } from './plan-rollout.js';

const ERROR_RATE = [{ name: 'error_rate', provider: { kind: 'router' as const }, max: 1 }];
const NO_CHECKS: ResolvedChecks = { smoke: [], warmup: [], synthetic: [], timeoutMs: 10_000 };
const CHECKS: ResolvedChecks = {
  ...NO_CHECKS,
  warmup: ['/'],
  smoke: [{ kind: 'http', path: '/healthz', method: 'GET' }],
};
const HOOKS = { timeoutMs: 60_000 };

const canary: ResolvedStrategy = {
  kind: 'canary',
  stages: [
    { traffic: 5, durationMs: 600_000, pause: false },
    { traffic: 25, durationMs: 1_800_000, pause: false },
    { traffic: 50, pause: false },
    { traffic: 100, pause: false },
  ],
  metrics: ERROR_RATE,
  autoRollback: true,
};
const blueGreen = (switchover: 'instant' | 'gradual', analysisDurationMs = 0): ResolvedStrategy => ({
  kind: 'blueGreen',
  switchover,
  steps: [25, 50, 100],
  stepDurationMs: 60_000,
  rollback: 'immediate',
  scaleDownDelayMs: 30_000,
  analysisDurationMs,
  metrics: ERROR_RATE,
  autoRollback: true,
});
const stable = { id: 'r-old', instances: 4 };
const replace: ResolvedRollingStrategy = {
  kind: 'rolling',
  batchSize: { value: 25, percent: true },
  maxSurge: { value: 25, percent: true },
  maxUnavailable: { value: 0, percent: false },
  batchIntervalMs: 0,
  metrics: [],
  autoRollback: true,
};
const featureFlag: ResolvedStrategy = {
  kind: 'featureFlag',
  provider: 'slipway',
  flag: 'new-checkout',
  variant: 'on',
  stages: [{ traffic: 10, durationMs: 300_000 }],
  metrics: ERROR_RATE,
  autoRollback: true,
  gradualRollout: true,
  replace,
};

describe('planRollout', () => {
  test('canary: instances scaled for each share, a stage without duration pauses, stable shrinks after 100%', () => {
    const plan = planRollout({
      strategy: canary,
      checks: CHECKS,
      hooks: HOOKS,
      instances: 4,
      stable,
      next: 'r-new',
    });
    assert.equal(plan.strategy, 'canary');
    assert.deepEqual(plan.steps, [
      { action: 'scaleUp', weights: { 'r-old': 100, 'r-new': 0 }, instances: { 'r-old': 4, 'r-new': 1 } },
      { action: 'warmup', weights: { 'r-old': 100, 'r-new': 0 }, instances: { 'r-old': 4, 'r-new': 1 } },
      { action: 'smoke', weights: { 'r-old': 100, 'r-new': 0 }, instances: { 'r-old': 4, 'r-new': 1 } },
      {
        action: 'traffic',
        weights: { 'r-old': 95, 'r-new': 5 },
        instances: { 'r-old': 4, 'r-new': 1 },
        durationMs: 600_000,
        analyze: true,
      },
      {
        action: 'traffic',
        weights: { 'r-old': 75, 'r-new': 25 },
        instances: { 'r-old': 4, 'r-new': 1 },
        durationMs: 1_800_000,
        analyze: true,
      },
      {
        action: 'traffic',
        weights: { 'r-old': 50, 'r-new': 50 },
        instances: { 'r-old': 4, 'r-new': 2 },
        pause: true,
      },
      { action: 'promote', weights: { 'r-old': 0, 'r-new': 100 }, instances: { 'r-old': 4, 'r-new': 4 } },
      { action: 'scaleDown', weights: { 'r-new': 100 }, instances: { 'r-old': 0, 'r-new': 4 } },
    ]);
  });

  test('canary: instances = max(1, ceil(instances * traffic / 100)); a held 100% stage holds before scale-down', () => {
    const plan = planRollout({
      strategy: {
        ...canary,
        stages: [
          { traffic: 1, durationMs: 1000, pause: true },
          { traffic: 34, durationMs: 1000, pause: false },
          { traffic: 100, durationMs: 5000, pause: false },
        ],
        metrics: [],
      } as ResolvedStrategy,
      checks: NO_CHECKS,
      hooks: HOOKS,
      instances: 10,
      stable: { id: 'r-old', instances: 3 },
      next: 'r-new',
    });
    assert.deepEqual(
      plan.steps.map((s) => [
        s.action,
        s.instances['r-old'],
        s.instances['r-new'],
        s.durationMs,
        s.analyze,
        s.pause,
      ]),
      [
        ['scaleUp', 3, 1, undefined, undefined, undefined],
        ['traffic', 3, 1, 1000, undefined, true],
        ['traffic', 3, 4, 1000, undefined, undefined],
        ['promote', 3, 10, 5000, undefined, undefined],
        ['scaleDown', 0, 10, undefined, undefined, undefined],
      ],
    );
  });

  test('canary: stages that stop short of 100% still end with a promote step', () => {
    const plan = planRollout({
      strategy: { ...canary, stages: [{ traffic: 20, durationMs: 1000, pause: false }] } as ResolvedStrategy,
      checks: NO_CHECKS,
      hooks: HOOKS,
      instances: 2,
      stable: { id: 'r-old', instances: 2 },
      next: 'r-new',
    });
    assert.deepEqual(
      plan.steps.map((s) => s.action),
      ['scaleUp', 'traffic', 'promote', 'scaleDown'],
    );
  });

  test('blueGreen instant: full size beside the old, checks, one switch held for scaleDownDelay, then scale-down', () => {
    const plan = planRollout({
      strategy: blueGreen('instant', 120_000),
      checks: CHECKS,
      hooks: { ...HOOKS, preDeploy: './migrate', postDeploy: './notify' },
      instances: 3,
      stable,
      next: 'r-new',
    });
    const before = { weights: { 'r-old': 100, 'r-new': 0 }, instances: { 'r-old': 4, 'r-new': 3 } };
    assert.deepEqual(plan.steps, [
      { action: 'preDeploy', weights: { 'r-old': 100, 'r-new': 0 }, instances: { 'r-old': 4, 'r-new': 0 } },
      { action: 'scaleUp', ...before },
      { action: 'warmup', ...before },
      { action: 'smoke', ...before },
      { action: 'pause', ...before, durationMs: 120_000, analyze: true },
      {
        action: 'promote',
        weights: { 'r-old': 0, 'r-new': 100 },
        instances: { 'r-old': 4, 'r-new': 3 },
        durationMs: 30_000,
        analyze: true,
      },
      { action: 'scaleDown', weights: { 'r-new': 100 }, instances: { 'r-old': 0, 'r-new': 3 } },
      { action: 'postDeploy', weights: { 'r-new': 100 }, instances: { 'r-old': 0, 'r-new': 3 } },
    ]);
  });

  test('blueGreen gradual: one traffic step per weight below 100, each held', () => {
    const plan = planRollout({
      strategy: blueGreen('gradual'),
      checks: NO_CHECKS,
      hooks: HOOKS,
      instances: 2,
      stable: { id: 'r-old', instances: 2 },
      next: 'r-new',
    });
    assert.deepEqual(
      plan.steps.map((s) => [
        s.action,
        s.weights['r-new'],
        s.instances['r-old'],
        s.instances['r-new'],
        s.durationMs,
      ]),
      [
        ['scaleUp', 0, 2, 2, undefined],
        ['traffic', 25, 2, 2, 60_000],
        ['traffic', 50, 2, 2, 60_000],
        ['promote', 100, 2, 2, 30_000],
        ['scaleDown', 100, 0, 2, undefined],
      ],
    );
  });

  for (const strategy of [canary, blueGreen('instant')]) {
    test(`first deploy (${strategy.kind}): hooks, full size, checks, then all traffic at once`, () => {
      const plan = planRollout({
        strategy,
        checks: CHECKS,
        hooks: { ...HOOKS, preDeploy: 'a', postDeploy: 'b' },
        instances: 3,
        next: 'r-new',
      });
      assert.deepEqual(plan, {
        strategy: strategy.kind,
        steps: [
          { action: 'preDeploy', weights: { 'r-new': 0 }, instances: { 'r-new': 0 } },
          { action: 'scaleUp', weights: { 'r-new': 0 }, instances: { 'r-new': 3 } },
          { action: 'warmup', weights: { 'r-new': 0 }, instances: { 'r-new': 3 } },
          { action: 'smoke', weights: { 'r-new': 0 }, instances: { 'r-new': 3 } },
          { action: 'promote', weights: { 'r-new': 100 }, instances: { 'r-new': 3 } },
          { action: 'postDeploy', weights: { 'r-new': 100 }, instances: { 'r-new': 3 } },
        ],
      });
    });
  }

  test('a stable revision without instances is planned as a first deploy', () => {
    const plan = planRollout({
      strategy: canary,
      checks: NO_CHECKS,
      hooks: HOOKS,
      instances: 1,
      stable: { id: 'r-old', instances: 0 },
      next: 'r-new',
    });
    assert.deepEqual(
      plan.steps.map((s) => s.action),
      ['scaleUp', 'promote'],
    );
  });

  test('featureFlag: the revision is replaced by its rolling update, unanalysed, before the flag moves', () => {
    const input = {
      checks: CHECKS,
      hooks: { ...HOOKS, preDeploy: './pre' },
      instances: 4,
      stable,
      next: 'r-new',
    };
    const plan = planRollout({ ...input, strategy: featureFlag });
    assert.equal(plan.strategy, 'featureFlag');
    assert.deepEqual(plan.steps, planRollout({ ...input, strategy: replace }).steps);
    assert.ok(plan.steps.length > 2);
    assert.ok(plan.steps.every((step) => !step.analyze && !step.durationMs));
    const first = planRollout({ ...input, strategy: featureFlag, stable: undefined });
    assert.equal(first.steps.at(-1)?.weights['r-new'], 100, 'a first deploy ships the code at once');
  });

  test('nothing to deploy when the new revision is the stable one', () => {
    assert.deepEqual(
      planRollout({ strategy: canary, checks: CHECKS, hooks: HOOKS, instances: 4, stable, next: 'r-old' }),
      { strategy: 'canary', steps: [] },
    );
  });

  test('every step of every strategy lists weights summing to 100 once traffic has started', () => {
    for (const strategy of [canary, blueGreen('instant'), blueGreen('gradual', 1000)]) {
      const plan = planRollout({
        strategy,
        checks: CHECKS,
        hooks: HOOKS,
        instances: 5,
        stable,
        next: 'r-new',
      });
      for (const step of plan.steps) {
        const sum = Object.values(step.weights).reduce((a, b) => a + b, 0);
        assert.equal(sum, 100, `${strategy.kind} ${step.action}`);
        assert.deepEqual(Object.keys(step.instances), ['r-old', 'r-new']);
      }
      assert.deepEqual(plan.steps.at(-1), {
        action: 'scaleDown',
        weights: { 'r-new': 100 },
        instances: { 'r-old': 0, 'r-new': 5 },
      });
    }
  });
});
