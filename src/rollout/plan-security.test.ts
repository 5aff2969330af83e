// Where `checks.security` puts its two steps: securityCheck before any traffic (after warmup and
// smoke), securityVerify right after promote (taking over its hold), for every strategy.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ResolvedChecks, ResolvedFleet, ResolvedStrategy } from '../config/resolved.js';
import { planFleet } from './fleet/fleet-plan.js';
import { planRollout } from './plan-rollout.js';

const ERROR_RATE = [{ name: 'error_rate', provider: { kind: 'router' as const }, max: 1 }];
const NO_CHECKS: ResolvedChecks = { smoke: [], warmup: [], synthetic: [], timeoutMs: 10_000 };
const SECURITY: ResolvedChecks = {
  ...NO_CHECKS,
  security: {
    path: '/',
    headers: { hsts: 'https', contentTypeOptions: true, csp: true, serverVersion: false },
    forbiddenPaths: ['/.git/config'],
    sourceMaps: true,
    tls: { minVersion: 'TLSv1.2', expiryDays: 14 },
  },
};
const WITH_SMOKE: ResolvedChecks = {
  ...SECURITY,
  warmup: ['/'],
  smoke: [{ kind: 'http', path: '/healthz', method: 'GET' }],
};
const HOOKS = { timeoutMs: 60_000 };
const stable = { id: 'old', instances: 2 };

const canary: ResolvedStrategy = {
  kind: 'canary',
  stages: [
    { traffic: 50, durationMs: 60_000, pause: false },
    { traffic: 100, durationMs: 120_000, pause: true },
  ],
  metrics: ERROR_RATE,
  autoRollback: true,
};
const blueGreen: ResolvedStrategy = {
  kind: 'blueGreen',
  switchover: 'instant',
  steps: [100],
  stepDurationMs: 0,
  rollback: 'immediate',
  scaleDownDelayMs: 30_000,
  analysisDurationMs: 0,
  metrics: ERROR_RATE,
  autoRollback: true,
};
const rolling: ResolvedStrategy = {
  kind: 'rolling',
  batchSize: { value: 1, percent: false },
  maxSurge: { value: 1, percent: false },
  maxUnavailable: { value: 0, percent: false },
  batchIntervalMs: 0,
  metrics: ERROR_RATE,
  autoRollback: true,
};

const actions = (steps: readonly { action: string }[]) => steps.map((s) => s.action);

describe('planRollout with checks.security', () => {
  test('canary: checked before traffic, verified right after promote with its hold, the stable still up', () => {
    const plan = planRollout({
      strategy: canary,
      checks: SECURITY,
      hooks: HOOKS,
      instances: 2,
      stable,
      next: 'new',
    });
    assert.deepEqual(plan.steps, [
      { action: 'scaleUp', weights: { old: 100, new: 0 }, instances: { old: 2, new: 1 } },
      { action: 'securityCheck', weights: { old: 100, new: 0 }, instances: { old: 2, new: 1 } },
      {
        action: 'traffic',
        weights: { old: 50, new: 50 },
        instances: { old: 2, new: 1 },
        durationMs: 60_000,
        analyze: true,
      },
      { action: 'promote', weights: { old: 0, new: 100 }, instances: { old: 2, new: 2 } },
      {
        action: 'securityVerify',
        weights: { old: 0, new: 100 },
        instances: { old: 2, new: 2 },
        durationMs: 120_000,
        analyze: true,
        pause: true,
      },
      { action: 'scaleDown', weights: { new: 100 }, instances: { old: 0, new: 2 } },
    ]);
  });

  test('blue-green: after warmup and smoke; verify before postDeploy and the scale-down', () => {
    const plan = planRollout({
      strategy: blueGreen,
      checks: WITH_SMOKE,
      hooks: { ...HOOKS, preDeploy: 'migrate', postDeploy: 'notify' },
      instances: 2,
      stable,
      next: 'new',
    });
    assert.deepEqual(actions(plan.steps), [
      'preDeploy',
      'scaleUp',
      'warmup',
      'smoke',
      'securityCheck',
      'promote',
      'securityVerify',
      'scaleDown',
      'postDeploy',
    ]);
    const verify = plan.steps[6];
    assert.deepEqual(verify, {
      action: 'securityVerify',
      weights: { old: 0, new: 100 },
      instances: { old: 2, new: 2 },
      durationMs: 30_000,
      analyze: true,
    });
    assert.equal(plan.steps[5]?.durationMs, undefined);
  });

  test('rolling: checked on the first new instance before it gets weight; verified after the last old one stops', () => {
    const plan = planRollout({
      strategy: rolling,
      checks: SECURITY,
      hooks: HOOKS,
      instances: 2,
      stable,
      next: 'new',
    });
    assert.deepEqual(
      plan.steps.map((s) => [s.action, s.instances.old, s.instances.new, s.weights.new]),
      [
        ['securityCheck', 2, 1, 33.333],
        ['scaleDown', 1, 1, 50],
        ['promote', 0, 2, 100],
        ['securityVerify', 0, 2, 100],
      ],
    );
  });

  test('first deploy: checked at weight 0, verified once it has all traffic, for every strategy', () => {
    for (const strategy of [canary, blueGreen, rolling]) {
      const plan = planRollout({ strategy, checks: WITH_SMOKE, hooks: HOOKS, instances: 3, next: 'new' });
      assert.deepEqual(plan.steps, [
        { action: 'scaleUp', weights: { new: 0 }, instances: { new: 3 } },
        { action: 'warmup', weights: { new: 0 }, instances: { new: 3 } },
        { action: 'smoke', weights: { new: 0 }, instances: { new: 3 } },
        { action: 'securityCheck', weights: { new: 0 }, instances: { new: 3 } },
        { action: 'promote', weights: { new: 100 }, instances: { new: 3 } },
        { action: 'securityVerify', weights: { new: 100 }, instances: { new: 3 } },
      ]);
    }
  });

  test('without checks.security neither step is planned; nothing to deploy stays empty', () => {
    for (const strategy of [canary, blueGreen, rolling]) {
      const steps = planRollout({
        strategy,
        checks: NO_CHECKS,
        hooks: HOOKS,
        instances: 2,
        stable,
        next: 'new',
      }).steps;
      assert.ok(!actions(steps).some((a) => a.startsWith('security')), actions(steps).join(' '));
    }
    assert.deepEqual(
      planRollout({ strategy: canary, checks: SECURITY, hooks: HOOKS, instances: 2, stable, next: 'old' })
        .steps,
      [],
    );
  });

  test('a fleet runs both checks in every wave (each region has its own endpoint); hooks stay once', () => {
    const fleet: ResolvedFleet = {
      regions: { a: ['a-1'], b: ['b-1'] },
      waves: [
        { region: 'a', offsetMs: 0, traffic: 0.5 },
        { region: 'b', offsetMs: 0, traffic: 0.5 },
      ],
      failover: { strategy: 'manual', healthThreshold: 0.9, switchoverMs: 30_000 },
      rollback: 'all',
    };
    const host = planRollout({
      strategy: blueGreen,
      checks: SECURITY,
      hooks: { ...HOOKS, preDeploy: 'migrate', postDeploy: 'notify' },
      instances: 2,
      stable,
      next: 'new',
    });
    const [first, second] = planFleet(fleet, host).waves;
    assert.deepEqual(actions(first?.steps ?? []), [
      'preDeploy',
      'scaleUp',
      'securityCheck',
      'promote',
      'securityVerify',
      'scaleDown',
    ]);
    assert.deepEqual(actions(second?.steps ?? []), [
      'scaleUp',
      'securityCheck',
      'promote',
      'securityVerify',
      'scaleDown',
      'postDeploy',
    ]);
  });
});
