// The planned place of the expand and contract steps in every strategy, in a first deploy and in a fleet's waves.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ResolvedChecks, ResolvedFleet, ResolvedStrategy } from '../config/resolved.js';
import type { ResolvedMigrations } from '../config/resolved-migrations.js';
import { planFleet } from './fleet/fleet-plan.js';
import { planRollout } from './plan-rollout.js';
import type { RolloutStep } from './rollout-step.js';

const METRICS = [{ name: 'error_rate', provider: { kind: 'router' as const }, max: 1 }];
const CHECKS: ResolvedChecks = {
  smoke: [{ kind: 'http', path: '/healthz', method: 'GET' }],
  warmup: [],
  synthetic: [],
  timeoutMs: 10_000,
};
const HOOKS = { timeoutMs: 60_000, preDeploy: 'hook-pre', postDeploy: 'hook-post' };
const MIGRATIONS: ResolvedMigrations = {
  expand: 'psql -f expand.sql',
  contract: 'psql -f contract.sql',
  down: 'psql -f down.sql',
  contractAfterMs: 600_000,
  timeoutMs: 1_800_000,
};
const rolling: ResolvedStrategy & { kind: 'rolling' } = {
  kind: 'rolling',
  batchSize: { value: 1, percent: false },
  maxSurge: { value: 1, percent: false },
  maxUnavailable: { value: 0, percent: false },
  batchIntervalMs: 0,
  metrics: METRICS,
  autoRollback: true,
};
const STRATEGIES: Record<string, ResolvedStrategy> = {
  canary: {
    kind: 'canary',
    stages: [
      { traffic: 50, durationMs: 60_000, pause: false },
      { traffic: 100, pause: false },
    ],
    metrics: METRICS,
    autoRollback: true,
  },
  blueGreen: {
    kind: 'blueGreen',
    switchover: 'instant',
    steps: [100],
    stepDurationMs: 0,
    rollback: 'immediate',
    scaleDownDelayMs: 30_000,
    analysisDurationMs: 0,
    metrics: METRICS,
    autoRollback: true,
  },
  rolling,
};
const stable = { id: 'old', instances: 2 };
const actions = (steps: readonly RolloutStep[]) => steps.map((s) => s.action);

describe('planRollout with migrations', () => {
  for (const [name, strategy] of Object.entries(STRATEGIES)) {
    test(`${name}: expand before any traffic moves, contract last after an analysed contractAfter hold`, () => {
      const { steps } = planRollout({
        strategy,
        checks: CHECKS,
        hooks: HOOKS,
        migrations: MIGRATIONS,
        instances: 2,
        stable,
        next: 'new',
      });
      assert.deepEqual(actions(steps).slice(0, 2), ['preDeploy', 'expand']);
      assert.deepEqual(steps[1], {
        action: 'expand',
        weights: { old: 100, new: 0 },
        instances: { old: 2, new: 0 },
      });
      const firstMove = steps.findIndex((s) => (s.weights.new ?? 0) > 0);
      assert.ok(firstMove > 1, 'expand comes before the first step that gives the new revision traffic');
      const [hold, contract] = steps.slice(-2);
      assert.deepEqual(actions(steps).slice(-3), ['postDeploy', 'pause', 'contract']);
      assert.deepEqual(hold, {
        action: 'pause',
        weights: { new: 100 },
        instances: { old: 0, new: 2 },
        durationMs: 600_000,
        analyze: true,
      });
      assert.deepEqual(contract, {
        action: 'contract',
        weights: { new: 100 },
        instances: { old: 0, new: 2 },
      });
      // Every step before the hold that still runs an old instance comes before it.
      assert.ok(steps.slice(steps.length - 2).every((s) => s.instances.old === 0));
    });
  }

  test('a first deploy expands first and contracts last', () => {
    const { steps } = planRollout({
      strategy: rolling,
      checks: CHECKS,
      hooks: { timeoutMs: 60_000 },
      migrations: MIGRATIONS,
      instances: 1,
      next: 'new',
    });
    assert.deepEqual(actions(steps), ['expand', 'scaleUp', 'smoke', 'promote', 'pause', 'contract']);
  });

  test('no contractAfter hold when it is 0; only the commands given become steps', () => {
    const plan = (migrations: ResolvedMigrations) =>
      actions(
        planRollout({
          strategy: rolling,
          checks: CHECKS,
          hooks: { timeoutMs: 60_000 },
          migrations,
          instances: 1,
          stable: { id: 'old', instances: 1 },
          next: 'new',
        }).steps,
      );
    assert.deepEqual(plan({ ...MIGRATIONS, contractAfterMs: 0 }).slice(-2), ['promote', 'contract']);
    assert.deepEqual(plan({ expand: 'x', contractAfterMs: 600_000, timeoutMs: 1000 })[0], 'expand');
    assert.ok(!plan({ expand: 'x', contractAfterMs: 600_000, timeoutMs: 1000 }).includes('contract'));
    assert.ok(!plan({ contract: 'y', contractAfterMs: 0, timeoutMs: 1000 }).includes('expand'));
  });

  test('a feature flag rollout expands but never contracts: the old code path still serves until the flag moves', () => {
    const { steps } = planRollout({
      strategy: {
        kind: 'featureFlag',
        provider: 'slipway',
        flag: 'f',
        variant: 'on',
        stages: [{ traffic: 10, durationMs: 60_000 }],
        metrics: METRICS,
        autoRollback: true,
        gradualRollout: true,
        replace: rolling,
      },
      checks: CHECKS,
      hooks: { timeoutMs: 60_000 },
      migrations: MIGRATIONS,
      instances: 1,
      stable: { id: 'old', instances: 1 },
      next: 'new',
    });
    assert.equal(steps[0]?.action, 'expand');
    assert.ok(!actions(steps).includes('contract'));
  });

  test('a fleet expands in its first wave only and contracts (with the hold) in its last only', () => {
    const fleet: ResolvedFleet = {
      regions: { a: ['a-1'], b: ['b-1'], c: ['c-1'] },
      waves: [
        { region: 'a', offsetMs: 0, traffic: 0.4 },
        { region: 'b', offsetMs: 0, traffic: 0.3 },
        { region: 'c', offsetMs: 0, traffic: 0.3 },
      ],
      failover: { strategy: 'manual', healthThreshold: 0.9, switchoverMs: 30_000 },
      rollback: 'all',
    };
    const host = planRollout({
      strategy: STRATEGIES.blueGreen!,
      checks: CHECKS,
      hooks: HOOKS,
      migrations: MIGRATIONS,
      instances: 2,
      stable,
      next: 'new',
    });
    const [first, middle, last] = planFleet(fleet, host).waves.map((w) => actions(w.steps));
    const body = ['scaleUp', 'smoke', 'promote', 'scaleDown'];
    assert.deepEqual(first, ['preDeploy', 'expand', ...body]);
    assert.deepEqual(middle, body);
    assert.deepEqual(last, [...body, 'postDeploy', 'pause', 'contract']);
  });
});
