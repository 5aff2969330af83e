// The fast rule and the cases it must leave alone, on a fake clock: a canary that breaks is rolled
// back within a poll or two; a steady 0.5% and a single blip complete; the short stages
// never promote a failing revision.
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { afterEach, beforeEach, describe, test } from 'node:test';
import {
  baseSpec,
  type ControllerHarness,
  controllerHarness,
  INSTANCES,
  step,
  type Traffic,
} from '../../../test/rollout/controller-harness.js';
import type { RolloutSpec } from './rollout-spec.js';

const TIMEOUT = { timeout: 20_000 };

/** Slipway's analysis defaults (config reference), with error_rate at 1%. */
const DEFAULTS = {
  intervalMs: 1000,
  failureLimit: 1,
  inconclusiveLimit: 3,
  consecutiveErrorLimit: 4,
  minRequests: 20,
};

describe('RolloutController: fast rule and no false rollback', TIMEOUT, () => {
  let h: ControllerHarness;
  let S: string;
  let N: string;
  beforeEach(async () => {
    h = await controllerHarness();
    S = h.stable.id;
    N = h.next.id;
  });
  afterEach(() => h.close());

  const spec = (limits: Partial<RolloutSpec['analysis']> = {}): Partial<RolloutSpec> => ({
    analysis: { ...baseSpec(h.stable, h.next, tmpdir()).analysis, ...DEFAULTS, ...limits },
  });
  /** Canary stages (traffic share, duration), analysed, then all traffic. */
  const canary = (...stages: [number, number][]) => [
    step('scaleUp', { [S]: 100, [N]: 0 }, { [S]: INSTANCES, [N]: 1 }),
    ...stages.map(([share, durationMs]) =>
      step(
        'traffic',
        { [S]: 100 - share, [N]: share },
        { [S]: INSTANCES, [N]: 1 },
        { durationMs, analyze: true },
      ),
    ),
    step('promote', { [S]: 0, [N]: 100 }, { [S]: INSTANCES, [N]: INSTANCES }),
    step('scaleDown', { [N]: 100 }, { [S]: 0, [N]: INSTANCES }),
  ];
  const verdicts = () => h.events.flatMap((e) => (e.type === 'analysis.measurement' ? [e.verdict] : []));
  const promoted = () => h.events.some((e) => e.type === 'rollout.step' && e.action === 'promote');

  test('a canary that breaks mid-stage is rolled back within 100 ms, not at the interval nor the count', async () => {
    h.feed((t) => (t <= 3_500 ? { requests: 20, errors: 0 } : { requests: 20, errors: 20 }), 60_000);
    const rollout = await h.begin(canary([25, 30_000]), spec({ failureLimit: 3 }));

    const outcome = await h.drive(rollout.id);

    assert.deepEqual(outcome, { status: 'rolled_back', reason: 'error_rate 100% > 1%' });
    const decidedAt = Number((await h.store.getRollout(rollout.id))?.data.decidedAt) - rollout.startedAt;
    assert.ok(decidedAt > 3_500 && decidedAt <= 3_600, `decided at ${decidedAt} ms`);
    assert.deepEqual(verdicts(), ['success', 'success', 'success', 'failure']);
    const fast = h.events.findLast((e) => e.type === 'analysis.measurement');
    assert.ok(fast?.type === 'analysis.measurement');
    assert.ok((fast.requests ?? 0) >= 20 && (fast.windowMs ?? Infinity) <= 100, JSON.stringify(fast));
    assert.deepEqual(await h.weights(), { [S]: 100 });
  });

  test('the short stages of issue 12 with every request failing: rolled back in the first stage', async () => {
    h.feed(() => ({ requests: 20, errors: 20 }), 60_000);
    const rollout = await h.begin(canary([20, 2_000], [60, 2_000]), spec());

    const outcome = await h.drive(rollout.id);

    assert.deepEqual(outcome, { status: 'rolled_back', reason: 'error_rate 100% > 1%' });
    assert.ok(!promoted(), 'never promoted');
    const decidedAt = Number((await h.store.getRollout(rollout.id))?.data.decidedAt) - rollout.startedAt;
    assert.ok(decidedAt <= 100, `decided at ${decidedAt} ms`);
  });

  test('the same short stages with 5% failing (out of the fast rule reach): rolled back, never promoted', async () => {
    h.feed(() => ({ requests: 20, errors: 1 }), 60_000);
    const rollout = await h.begin(canary([20, 2_000], [60, 2_000]), spec());

    const outcome = await h.drive(rollout.id);

    assert.deepEqual(outcome, { status: 'rolled_back', reason: 'error_rate 5% > 1%' });
    assert.ok(!promoted(), 'never promoted');
    // 1 s: first failure; 2 s: second in a row, not counted, and the stage may not end on it;
    // 3 s: the second counted failure exceeds failureLimit 1.
    assert.deepEqual(verdicts(), ['failure', 'failure', 'failure']);
    const decidedAt = Number((await h.store.getRollout(rollout.id))?.data.decidedAt) - rollout.startedAt;
    assert.equal(decidedAt, 3_000);
  });

  test('a steady 0.5% error rate under a 1% threshold completes', async () => {
    // 1000 requests a second, one failing in every other 100 ms tick: 5 a second.
    h.feed((t) => ({ requests: 100, errors: (t / 100) % 2 }), 60_000);
    const rollout = await h.begin(canary([20, 2_000], [60, 2_000]), spec());

    const outcome = await h.drive(rollout.id);

    assert.equal(outcome.status, 'completed');
    const measured = h.events.flatMap((e) =>
      e.type === 'analysis.measurement' ? [[e.verdict, e.value]] : [],
    );
    assert.deepEqual(
      measured,
      Array.from({ length: 4 }, () => ['success', 0.5]),
    );
  });

  test('a single blip straddling two intervals (7.5% of its requests failing) completes with failureLimit 1', async () => {
    // 200 requests a second; from 0.7 s to 1.3 s, 2 and 1 of every 20 fail in turn.
    const blip = (t: number): Traffic =>
      t > 700 && t <= 1_300
        ? { requests: 20, errors: (t / 100) % 2 === 0 ? 2 : 1 }
        : { requests: 20, errors: 0 };
    h.feed(blip, 60_000);
    const rollout = await h.begin(canary([25, 2_000]), spec());

    const outcome = await h.drive(rollout.id);

    assert.equal(outcome.status, 'completed');
    // Both intervals the blip touches fail (2.5% and 2%); the second in a row is not counted, the
    // stage waits for a passing measurement at 3 s, then promotes.
    const measured = h.events.flatMap((e) =>
      e.type === 'analysis.measurement' ? [[e.verdict, e.value]] : [],
    );
    assert.deepEqual(measured, [
      ['failure', 2.5],
      ['failure', 2],
      ['success', 0],
    ]);
    assert.ok(promoted());
  });
});
