// Rollback on a fake clock: failed analysis, a revision that never gets ready, autoRollback off, and `slipway rollback`.
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { afterEach, beforeEach, describe, test } from 'node:test';
import {
  baseSpec,
  type ControllerHarness,
  controllerHarness,
  INSTANCES,
  step,
} from '../../../test/rollout/controller-harness.js';
import { rollback } from '../rollout-service.js';

const TIMEOUT = { timeout: 20_000 };

describe('RolloutController: rollback', TIMEOUT, () => {
  let h: ControllerHarness;
  let S: string;
  let N: string;
  beforeEach(async () => {
    h = await controllerHarness();
    S = h.stable.id;
    N = h.next.id;
  });
  afterEach(() => h.close());

  const canary = (next = N) => [
    step('scaleUp', { [S]: 100, [next]: 0 }, { [S]: INSTANCES, [next]: 1 }),
    step(
      'traffic',
      { [S]: 75, [next]: 25 },
      { [S]: INSTANCES, [next]: 1 },
      { durationMs: 30_000, analyze: true },
    ),
    step('promote', { [S]: 0, [next]: 100 }, { [S]: INSTANCES, [next]: INSTANCES }),
    step('scaleDown', { [next]: 100 }, { [S]: 0, [next]: INSTANCES }),
  ];
  /**
   * From 3.5 s on, 5% of the new revision's requests fail: too few for the fast rule, so the
   * interval ending at 4 s is the one that sees it.
   */
  const breakAt3500 = () => {
    h.platform.setMetrics(h.ref, N, {});
    h.at(3_500, () => h.platform.setMetrics(h.ref, N, { requests: 100, status5xx: 5 }));
  };

  test('a failed analysis interval flips traffic back at once and removes the new revision', async () => {
    breakAt3500();
    const rollout = await h.begin(canary());

    const outcome = await h.drive(rollout.id);

    assert.deepEqual(outcome, { status: 'rolled_back', reason: 'error_rate 5% > 1%' });
    assert.deepEqual(await h.weights(), { [S]: 100 });
    assert.deepEqual(await h.desired(), { [S]: INSTANCES });
    const verdicts = h.events.flatMap((e) => (e.type === 'analysis.measurement' ? [e.verdict] : []));
    assert.deepEqual(verdicts, ['success', 'success', 'success', 'failure']);
    const stored = await h.store.getRollout(rollout.id);
    assert.equal(stored?.phase, 'rolled_back');
    assert.equal(stored?.reason, 'error_rate 5% > 1%');
    // Decided at the end of the fourth interval, restored in no clock time.
    assert.equal(stored?.data.decidedAt, rollout.startedAt + 4_000);
    assert.equal(stored?.data.restoreMs, 0);
    assert.equal(stored?.data.measuredAt, rollout.startedAt + 4_000);
    assert.deepEqual(
      ((stored?.data.measurements ?? []) as { verdict: string; value: number }[]).map((m) => [
        m.verdict,
        m.value,
      ]),
      [['failure', 5]],
    );
    assert.deepEqual(await h.storedEvents(rollout.id), [
      'rollout.progressed',
      'service.rolledback',
      'rollout.aborted',
    ]);
    assert.deepEqual(h.events.at(-1), {
      type: 'rollout.finished',
      rollout: rollout.id,
      status: 'rolled_back',
      revision: N,
      reason: 'error_rate 5% > 1%',
    });
  });

  test('with autoRollback off a failed interval pauses with traffic where it is; abort then rolls back', async () => {
    breakAt3500();
    const rollout = await h.begin(canary(), { autoRollback: false });
    const seen: Record<string, unknown> = {};
    h.at(60_000, async () => {
      const paused = await h.store.getRollout(rollout.id);
      seen.paused = { phase: paused?.phase, step: paused?.step, reason: paused?.reason };
      seen.weights = await h.weights();
      await h.store.updateRollout(rollout.id, { request: 'abort' });
    });

    const outcome = await h.drive(rollout.id);

    assert.deepEqual(seen.paused, {
      phase: 'paused',
      step: 1,
      reason: 'error_rate 5% > 1% (autoRollback is off: promote or abort)',
    });
    assert.deepEqual(seen.weights, { [S]: 75, [N]: 25 });
    assert.deepEqual(outcome, { status: 'aborted', reason: 'aborted by request' });
    assert.deepEqual(await h.weights(), { [S]: 100 });
  });

  test('too few requests to judge pause the rollout as inconclusive', async () => {
    const { analysis } = baseSpec(h.stable, h.next, tmpdir());
    const rollout = await h.begin(canary(), { analysis: { ...analysis, minRequests: 10 } });
    h.at(10_000, () => h.store.updateRollout(rollout.id, { request: 'abort' }));
    const outcome = await h.drive(rollout.id);
    assert.equal(outcome.status, 'aborted');
    const paused = h.events.find((e) => e.type === 'rollout.paused');
    assert.deepEqual(paused, {
      type: 'rollout.paused',
      rollout: rollout.id,
      step: 1,
      reason: 'analysis inconclusive: 0 request(s) in the window, fewer than the 10 needed to judge',
    });
  });

  test('a new revision that never gets ready is rolled back before it gets any traffic', async () => {
    const broken = await h.revision({ MODE: 'exit' });
    const rollout = await h.begin(canary(broken.id), { next: { id: broken.id, instances: INSTANCES } });
    const outcome = await h.drive(rollout.id);
    assert.equal(outcome.status, 'rolled_back');
    assert.match(
      outcome.status === 'rolled_back' ? (outcome.reason ?? '') : '',
      new RegExp(`^revision ${broken.id} did not become ready: .*MODE=exit`),
    );
    assert.deepEqual(
      h.events.flatMap((e) => (e.type === 'rollout.step' ? [e.step] : [])),
      [0],
    );
    assert.deepEqual(await h.weights(), { [S]: 100 });
  });

  test('slipway rollback brings the previous revision back at full size and switches all traffic at once', async () => {
    h.platform.setMetrics(h.ref, N, {});
    const deployed = await h.begin(canary());
    assert.equal((await h.drive(deployed.id)).status, 'completed');
    assert.deepEqual(await h.weights(), { [N]: 100 });

    const outcome = await h.run(rollback(h.deps(), { ref: h.ref, actor: 'tester', workdir: tmpdir() }));

    assert.deepEqual(outcome, { status: 'completed', revision: S });
    assert.deepEqual(await h.weights(), { [S]: 100 });
    assert.deepEqual(await h.desired(), { [S]: INSTANCES });
    const [latest] = await h.store.listRollouts({ limit: 1 });
    assert.equal(latest?.strategy, 'rollback');
    const rolledBack = (await h.store.listEvents({ types: ['service.rolledback'] })).at(-1);
    assert.deepEqual(rolledBack?.data, {
      rollout: latest?.id,
      revision: S,
      previous: N,
      manual: true,
      // For the delivery figures: when it started and how long until traffic was back (the test clock stands still).
      rollback: { startedAt: latest?.startedAt, restoreMs: 0 },
    });
  });
});
