// Analysis on a fake clock: one count per rollout (across holds and controllers), the one reset, and
// when a measured hold may end.
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
import { storedAnalysis } from './stored-analysis.js';

const TIMEOUT = { timeout: 20_000 };

/** 200 requests a second (20 per 100 ms tick), 5% of them failing: a failed interval, far from the fast rule. */
const FAILING: Traffic = { requests: 20, errors: 1 };
const HEALTHY: Traffic = { requests: 20, errors: 0 };
const SILENT: Traffic = { requests: 0, errors: 0 };

describe('RolloutController: one count per rollout', TIMEOUT, () => {
  let h: ControllerHarness;
  let S: string;
  let N: string;
  beforeEach(async () => {
    h = await controllerHarness();
    S = h.stable.id;
    N = h.next.id;
  });
  afterEach(() => h.close());

  /** Analysis with these limits over the harness's strict defaults. */
  const analysis = (limits: Partial<RolloutSpec['analysis']>): Partial<RolloutSpec> => ({
    analysis: { ...baseSpec(h.stable, h.next, tmpdir()).analysis, ...limits },
  });
  /** A canary with analysed stages of these durations, then all traffic. */
  const canary = (...durations: number[]) => [
    step('scaleUp', { [S]: 100, [N]: 0 }, { [S]: INSTANCES, [N]: 1 }),
    ...durations.map((durationMs, i) =>
      step(
        'traffic',
        { [S]: 75 - 25 * i, [N]: 25 + 25 * i },
        { [S]: INSTANCES, [N]: 1 },
        { durationMs, analyze: true },
      ),
    ),
    step('promote', { [S]: 0, [N]: 100 }, { [S]: INSTANCES, [N]: INSTANCES }),
    step('scaleDown', { [N]: 100 }, { [S]: 0, [N]: INSTANCES }),
  ];
  const verdicts = () => h.events.flatMap((e) => (e.type === 'analysis.measurement' ? [e.verdict] : []));
  const stepsApplied = () => h.events.flatMap((e) => (e.type === 'rollout.step' ? [e.step] : []));
  /** Traffic from `from` ms on, in [from, to) spans. */
  const phases =
    (...spans: [number, Traffic][]) =>
    (t: number): Traffic =>
      [...spans].reverse().find(([from]) => t > from)?.[1] ?? SILENT;

  test('failures add up across stages: one per stage exceeds failureLimit 1 in the second', async () => {
    h.feed(phases([0, FAILING], [1_000, HEALTHY], [2_000, FAILING], [3_000, HEALTHY]), 20_000);
    const rollout = await h.begin(canary(2_000, 2_000), analysis({ failureLimit: 1 }));

    const outcome = await h.drive(rollout.id);

    assert.deepEqual(outcome, { status: 'rolled_back', reason: 'error_rate 5% > 1%' });
    assert.deepEqual(verdicts(), ['failure', 'success', 'failure']);
    assert.deepEqual(stepsApplied(), [0, 1, 2], 'the second stage was reached, and rolled back');
    const stored = await h.store.getRollout(rollout.id);
    assert.equal(stored?.data.decidedAt, rollout.startedAt + 3_000);
    assert.deepEqual(storedAnalysis(stored?.data ?? {}).failures, { error_rate: 2 });
    assert.deepEqual(await h.weights(), { [S]: 100 });
  });

  test('a controller that takes the rollout over goes on with the stored count', async () => {
    h.feed(phases([0, FAILING], [1_000, HEALTHY], [2_500, FAILING], [3_500, HEALTHY]), 20_000);
    const rollout = await h.begin(canary(10_000), analysis({ failureLimit: 1 }));
    const stop = new AbortController();
    h.at(2_500, () => stop.abort());

    const first = await h.drive(rollout.id, { signal: stop.signal });
    const handedOver = await h.store.getRollout(rollout.id);
    const second = await h.drive(rollout.id, { owner: 'controller-b' });

    assert.deepEqual(first, { status: 'released' });
    assert.deepEqual(storedAnalysis(handedOver?.data ?? {}).failures, { error_rate: 1 });
    // The next controller's first failure is the rollout's second: over failureLimit 1.
    assert.deepEqual(second, { status: 'rolled_back', reason: 'error_rate 5% > 1%' });
    assert.deepEqual(verdicts(), ['failure', 'success', 'failure']);
    assert.deepEqual(stepsApplied(), [0, 1, 1]);
  });

  test('a person resuming an inconclusive pause restarts the inconclusive count, and only that one', async () => {
    h.feed(phases([0, FAILING], [1_000, SILENT], [6_200, FAILING]), 20_000);
    const rollout = await h.begin(
      canary(10_000),
      analysis({ failureLimit: 1, inconclusiveLimit: 1, minRequests: 10 }),
    );
    h.at(5_000, () => h.store.updateRollout(rollout.id, { request: 'resume' }));

    const outcome = await h.drive(rollout.id);

    // 1 s failed, 2 s and 3 s silent (over inconclusiveLimit 1: paused); resumed at 5 s, 6 s silent
    // is the first inconclusive interval again; 7 s fails, the rollout's second failure.
    assert.deepEqual(verdicts(), ['failure', 'inconclusive', 'inconclusive', 'inconclusive', 'failure']);
    assert.deepEqual(outcome, { status: 'rolled_back', reason: 'error_rate 5% > 1%' });
    const paused = h.events.filter((e) => e.type === 'rollout.paused');
    assert.equal(paused.length, 1);
    assert.match(
      paused[0]?.type === 'rollout.paused' ? paused[0].reason : '',
      /^analysis inconclusive: 0 request/,
    );
    const stored = await h.store.getRollout(rollout.id);
    const counts = storedAnalysis(stored?.data ?? {});
    assert.deepEqual([counts.failures, counts.inconclusive], [{ error_rate: 2 }, 1]);
    assert.equal(stored?.data.inconclusivePause, undefined, 'the mark goes with the resume');
  });

  test('a stage shorter than the interval is held until its one measurement', async () => {
    h.feed(() => HEALTHY, 20_000);
    const rollout = await h.begin(canary(300));

    const outcome = await h.drive(rollout.id);

    assert.equal(outcome.status, 'completed');
    assert.deepEqual(verdicts(), ['success']);
    const stored = await h.store.getRollout(rollout.id);
    assert.equal((stored?.finishedAt ?? 0) - rollout.startedAt, 1_000);
  });

  test('a stage ends on a measurement taken once its duration is over', async () => {
    h.feed(() => HEALTHY, 20_000);
    const rollout = await h.begin(canary(2_500));

    const outcome = await h.drive(rollout.id);

    assert.equal(outcome.status, 'completed');
    // The measurement at 2 s leaves the last 500 ms unmeasured: the stage waits for the one at 3 s.
    assert.deepEqual(verdicts(), ['success', 'success', 'success']);
    const stored = await h.store.getRollout(rollout.id);
    assert.equal((stored?.finishedAt ?? 0) - rollout.startedAt, 3_000);
  });

  test('a stage whose latest measurement failed is held until one passes', async () => {
    h.feed(phases([0, HEALTHY], [1_000, FAILING], [2_000, HEALTHY]), 20_000);
    const rollout = await h.begin(canary(2_000, 2_000), analysis({ failureLimit: 2 }));
    const seen: Record<string, unknown> = {};
    h.at(2_500, async () => {
      seen.at2500 = await h.weights();
    });

    const outcome = await h.drive(rollout.id);

    assert.equal(outcome.status, 'completed');
    assert.deepEqual(verdicts(), ['success', 'failure', 'success', 'success', 'success']);
    // The first stage failed its measurement at 2 s: still there at 2.5 s, on to the next at 3 s.
    assert.deepEqual(seen.at2500, { [S]: 75, [N]: 25 });
    const stored = await h.store.getRollout(rollout.id);
    assert.equal(
      (stored?.finishedAt ?? 0) - rollout.startedAt,
      5_000,
      'one interval past the two 2 s stages',
    );
  });

  test('an inconclusive latest measurement holds the stage before promotion, not an earlier one', async () => {
    h.feed(
      phases([0, HEALTHY], [1_000, SILENT], [2_000, HEALTHY], [3_000, SILENT], [4_000, HEALTHY]),
      20_000,
    );
    const rollout = await h.begin(canary(2_000, 2_000), analysis({ inconclusiveLimit: 5, minRequests: 10 }));
    const seen: Record<string, unknown> = {};
    h.at(2_500, async () => {
      seen.at2500 = await h.weights();
    });
    h.at(4_500, async () => {
      seen.at4500 = await h.weights();
    });

    const outcome = await h.drive(rollout.id);

    assert.equal(outcome.status, 'completed');
    assert.deepEqual(verdicts(), ['success', 'inconclusive', 'success', 'inconclusive', 'success']);
    // The first stage moved on at 2 s on an inconclusive interval; the second waited for 5 s.
    assert.deepEqual(seen.at2500, { [S]: 50, [N]: 50 });
    assert.deepEqual(seen.at4500, { [S]: 50, [N]: 50 });
    const stored = await h.store.getRollout(rollout.id);
    assert.equal((stored?.finishedAt ?? 0) - rollout.startedAt, 5_000);
  });
});
