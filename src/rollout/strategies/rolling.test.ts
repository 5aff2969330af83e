import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ResolvedChecks, ResolvedCountOrPercent, ResolvedStrategy } from '../../config/resolved.js';
import { planRollout } from '../plan-rollout.js';
import { batchCount, resolveFenceposts } from '../rolling-math.js';
import type { RolloutStep } from '../rollout-step.js';

const v = (x: number | string): ResolvedCountOrPercent =>
  typeof x === 'number' ? { value: x, percent: false } : { value: Number.parseFloat(x), percent: true };
const rolling = (
  batchSize: number | string,
  maxSurge: number | string,
  maxUnavailable: number | string,
  batchIntervalMs = 0,
): Extract<ResolvedStrategy, { kind: 'rolling' }> => ({
  kind: 'rolling',
  batchSize: v(batchSize),
  maxSurge: v(maxSurge),
  maxUnavailable: v(maxUnavailable),
  batchIntervalMs,
  metrics: [{ name: 'error_rate', provider: { kind: 'router' }, max: 1 }],
  autoRollback: true,
});
const NO_CHECKS: ResolvedChecks = { smoke: [], warmup: [], synthetic: [], timeoutMs: 10_000 };
const WARMUP_AND_SMOKE: ResolvedChecks = {
  ...NO_CHECKS,
  warmup: ['/'],
  smoke: [{ kind: 'run', command: 'true' }],
};
const HOOKS = { timeoutMs: 60_000 };

describe('rolling plans', () => {
  test('10 instances with the defaults (batch 25%, maxSurge 25%, maxUnavailable 0): 3 up, then 3 at a time', () => {
    const plan = planRollout({
      strategy: rolling('25%', '25%', 0),
      checks: NO_CHECKS,
      hooks: HOOKS,
      instances: 10,
      stable: { id: 'old', instances: 10 },
      next: 'new',
    });
    assert.equal(plan.strategy, 'rolling');
    assert.deepEqual(
      plan.steps.map((s) => [s.action, s.instances.old, s.instances.new, s.weights.new]),
      [
        ['scaleUp', 7, 3, 30],
        ['scaleUp', 4, 6, 60],
        ['scaleUp', 1, 9, 90],
        ['promote', 0, 10, 100],
      ],
    );
  });

  test('maxSurge 0, maxUnavailable 1: stop one first, then replace one per step', () => {
    const plan = planRollout({
      strategy: rolling(1, 0, 1),
      checks: NO_CHECKS,
      hooks: HOOKS,
      instances: 3,
      stable: { id: 'old', instances: 3 },
      next: 'new',
    });
    assert.deepEqual(plan.steps, [
      { action: 'scaleDown', weights: { old: 100, new: 0 }, instances: { old: 2, new: 0 } },
      { action: 'scaleUp', weights: { old: 50, new: 50 }, instances: { old: 1, new: 1 } },
      { action: 'promote', weights: { new: 100 }, instances: { old: 0, new: 2 } },
      { action: 'scaleUp', weights: { new: 100 }, instances: { old: 0, new: 3 } },
    ]);
  });

  test('checks run on the first new instances before they get traffic; batches hold with analysis', () => {
    const plan = planRollout({
      strategy: rolling(1, 1, 0, 30_000),
      checks: WARMUP_AND_SMOKE,
      hooks: { ...HOOKS, preDeploy: 'migrate', postDeploy: 'notify' },
      instances: 2,
      stable: { id: 'old', instances: 2 },
      next: 'new',
    });
    assert.deepEqual(plan.steps, [
      { action: 'preDeploy', weights: { old: 100, new: 0 }, instances: { old: 2, new: 0 } },
      { action: 'warmup', weights: { old: 100, new: 0 }, instances: { old: 2, new: 1 } },
      {
        action: 'smoke',
        weights: { old: 66.667, new: 33.333 },
        instances: { old: 2, new: 1 },
        durationMs: 30_000,
        analyze: true,
      },
      {
        action: 'scaleDown',
        weights: { old: 50, new: 50 },
        instances: { old: 1, new: 1 },
        durationMs: 30_000,
        analyze: true,
      },
      { action: 'promote', weights: { new: 100 }, instances: { old: 0, new: 2 } },
      { action: 'postDeploy', weights: { new: 100 }, instances: { old: 0, new: 2 } },
    ]);
  });

  test('growing from 2 to 6 instances with room to surge: all up, then the old ones stop, in one step', () => {
    const plan = planRollout({
      strategy: rolling('100%', 2, 0),
      checks: NO_CHECKS,
      hooks: HOOKS,
      instances: 6,
      stable: { id: 'old', instances: 2 },
      next: 'new',
    });
    assert.deepEqual(
      plan.steps.map((s) => [s.action, s.instances.old, s.instances.new]),
      [['promote', 0, 6]],
    );
  });
});

/** Applies the steps in the executor's order and asserts every limit at every intermediate point. */
function checkInvariants(
  steps: readonly RolloutStep[],
  limits: { instances: number; stable: number; maxTotal: number; minReady: number; batch: number },
  label: string,
): void {
  const { instances: N, maxTotal, minReady, batch } = limits;
  let prev: Record<string, number> = { old: limits.stable, new: 0 };
  let trafficStarted = false;
  steps.forEach((step, i) => {
    const at = `${label}, step ${i + 1} (${step.action})`;
    const after = { old: step.instances.old ?? 0, new: step.instances.new ?? 0 };
    const rose = after.old > prev.old! || after.new > prev.new!;
    const fell = after.old < prev.old! || after.new < prev.new!;
    // 1. Scale up (and wait until ready): nothing has stopped yet.
    const running = Math.max(after.old, prev.old!) + Math.max(after.new, prev.new!);
    if (rose) assert.ok(running <= maxTotal, `${at}: ${running} running > ${maxTotal}`);
    // 3. Weights, then 4. scale down: only revisions with weight serve.
    const total = Object.values(step.weights).reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(total - 100) < 1e-6, `${at}: weights sum to ${total}`);
    const serving = (step.weights.old ?? 0) > 0 ? after.old : 0;
    const ready = serving + ((step.weights.new ?? 0) > 0 ? after.new : 0);
    if (fell) assert.ok(ready >= minReady, `${at}: ${ready} ready < ${minReady}`);
    if (fell && (step.weights.new ?? 0) === 0)
      assert.ok(after.old >= minReady, `${at}: old alone (${after.old}) < ${minReady}`);
    assert.ok(Math.abs(after.new - prev.new!) <= batch, `${at}: new changed by more than ${batch}`);
    assert.ok(Math.abs(after.old - prev.old!) <= batch, `${at}: old changed by more than ${batch}`);
    for (const id of Object.keys(step.weights))
      assert.ok(id === 'new' || after[id as 'old'] > 0, `${at}: weight for ${id} without instances`);
    if (after.old === 0) assert.deepEqual(step.weights, { new: 100 }, `${at}: no old instance left`);
    if ((step.weights.new ?? 0) > 0) {
      trafficStarted = true;
      if (after.old + after.new > 0)
        for (const id of ['old', 'new'] as const) {
          const share = (100 * after[id]) / (after.old + after.new);
          assert.ok(
            Math.abs((step.weights[id] ?? 0) - share) <= 0.001,
            `${at}: ${id} weight not proportional`,
          );
        }
    } else {
      assert.ok(!trafficStarted, `${at}: traffic to the new revision went back to 0`);
      if (after.new > 0)
        assert.ok(
          ['warmup', 'smoke', 'preDeploy'].includes(step.action),
          `${at}: ready instances without traffic`,
        );
    }
    if (!['warmup', 'smoke', 'preDeploy', 'postDeploy'].includes(step.action))
      assert.ok(rose || fell, `${at}: a step that changes nothing`);
    prev = after;
  });
  const last = steps[steps.length - 1]!;
  assert.deepEqual(last.instances, { old: 0, new: N }, `${label}: ends with every new instance`);
  assert.deepEqual(last.weights, { new: 100 }, `${label}: ends with all traffic on the new revision`);
  assert.equal(steps.filter((s) => s.action === 'promote').length, 1, `${label}: one promote step`);
}

describe('rolling invariants over generated combinations', () => {
  const surges = [0, 1, 2, '10%', '25%', '50%', '100%'];
  const unavailables = [0, 1, 3, '10%', '25%', '50%', '100%'];
  const batches = [1, 2, 5, '25%', '50%', '100%'];
  const checkSets = [
    NO_CHECKS,
    { ...NO_CHECKS, smoke: [{ kind: 'run' as const, command: 'true' }] },
    WARMUP_AND_SMOKE,
  ];

  test('every limit holds at every intermediate point and the plan ends on the new revision', () => {
    let plans = 0;
    for (let N = 1; N <= 12; N++)
      for (const stable of new Set([N, Math.max(1, N - 2), N + 3]))
        for (const surge of surges)
          for (const unavailable of unavailables) {
            if (v(surge).value === 0 && v(unavailable).value === 0) continue;
            for (const batchSize of batches)
              checkSets.forEach((checks, c) => {
                const strategy = rolling(batchSize, surge, unavailable, 1000);
                const { surge: s, unavailable: u } = resolveFenceposts(
                  N,
                  strategy.maxSurge,
                  strategy.maxUnavailable,
                );
                const label = `N=${N} stable=${stable} surge=${surge} unavailable=${unavailable} batch=${batchSize} checks=${c}`;
                const plan = planRollout({
                  strategy,
                  checks,
                  hooks: HOOKS,
                  instances: N,
                  stable: { id: 'old', instances: stable },
                  next: 'new',
                });
                checkInvariants(
                  plan.steps,
                  {
                    instances: N,
                    stable,
                    maxTotal: Math.max(N + s, 0),
                    minReady: Math.min(stable, Math.max(0, N - u)),
                    batch: batchCount(strategy.batchSize, N),
                  },
                  label,
                );
                plans++;
              });
          }
    assert.ok(plans > 10_000, `${plans} plans checked`);
  });
});
