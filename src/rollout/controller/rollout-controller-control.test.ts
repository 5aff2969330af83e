// Control requests on a fake clock: pause and resume, promote and promote --full, abort, during holds and pauses.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import {
  type ControllerHarness,
  controllerHarness,
  INSTANCES,
  step,
} from '../../../test/rollout/controller-harness.js';
import { requestControl } from '../rollout-service.js';

const TIMEOUT = { timeout: 20_000 };

describe('RolloutController: control requests', TIMEOUT, () => {
  let h: ControllerHarness;
  let S: string;
  let N: string;
  beforeEach(async () => {
    h = await controllerHarness();
    S = h.stable.id;
    N = h.next.id;
  });
  afterEach(() => h.close());

  /** Two held canary stages, then all traffic, then the old revision goes. */
  const canary = () => [
    step('scaleUp', { [S]: 100, [N]: 0 }, { [S]: INSTANCES, [N]: 1 }),
    step('traffic', { [S]: 75, [N]: 25 }, { [S]: INSTANCES, [N]: 1 }, { durationMs: 20_000 }),
    step('traffic', { [S]: 50, [N]: 50 }, { [S]: INSTANCES, [N]: 1 }, { durationMs: 20_000 }),
    step('promote', { [S]: 0, [N]: 100 }, { [S]: INSTANCES, [N]: INSTANCES }, { durationMs: 10_000 }),
    step('scaleDown', { [N]: 100 }, { [S]: 0, [N]: INSTANCES }),
  ];
  const stepsApplied = () => h.events.flatMap((e) => (e.type === 'rollout.step' ? [e.step] : []));
  const request = (id: number, kind: string) => h.store.updateRollout(id, { request: kind });

  test('promote during a hold ends that hold at once and goes on with the next step', async () => {
    const rollout = await h.begin(canary());
    h.at(5_000, () => request(rollout.id, 'promote'));
    const outcome = await h.drive(rollout.id);
    assert.equal(outcome.status, 'completed');
    assert.deepEqual(stepsApplied(), [0, 1, 2, 3, 4]);
    const stored = await h.store.getRollout(rollout.id);
    assert.equal(stored?.request, null, 'the request is consumed');
    // 5 s of the first stage (seen within one 50 ms poll), then the 20 s and 10 s holds in full.
    const took = (stored?.finishedAt ?? 0) - rollout.startedAt;
    assert.ok(took >= 35_000 && took <= 35_050, `took ${took} ms of clock time`);
  });

  test('promote --full during a hold jumps to the first step with all traffic', async () => {
    const rollout = await h.begin(canary());
    h.at(5_000, () => request(rollout.id, 'promote_full'));
    const outcome = await h.drive(rollout.id);
    assert.equal(outcome.status, 'completed');
    assert.deepEqual(stepsApplied(), [0, 1, 3, 4], 'the 50% stage is skipped');
    assert.equal((await h.store.getRollout(rollout.id))?.request, null);
  });

  test('pause during a hold stops there; resume applies the same step again with its full hold', async () => {
    const rollout = await h.begin(canary());
    const seen: Record<string, unknown> = {};
    h.at(5_000, () => request(rollout.id, 'pause'));
    h.at(30_000, async () => {
      const paused = await h.store.getRollout(rollout.id);
      seen.paused = { phase: paused?.phase, step: paused?.step, reason: paused?.reason, data: paused?.data };
      seen.weights = await h.weights();
      await request(rollout.id, 'resume');
    });

    const outcome = await h.drive(rollout.id);

    assert.equal(outcome.status, 'completed');
    assert.deepEqual(seen.paused, {
      phase: 'paused',
      step: 1,
      reason: 'paused by request',
      data: { pause: 'during' },
    });
    assert.deepEqual(seen.weights, { [S]: 75, [N]: 25 }, 'traffic stays where the pause found it');
    assert.deepEqual(stepsApplied(), [0, 1, 1, 2, 3, 4]);
    const control = h.events.filter((e) => e.type === 'rollout.paused' || e.type === 'rollout.resumed');
    assert.deepEqual(control, [
      { type: 'rollout.paused', rollout: rollout.id, step: 1, reason: 'paused by request' },
      { type: 'rollout.resumed', rollout: rollout.id, step: 1 },
    ]);
    const stored = await h.store.getRollout(rollout.id);
    // Resumed at 30 s (within one 100 ms poll), then 20 s + 20 s + 10 s of holds.
    const took = (stored?.finishedAt ?? 0) - rollout.startedAt;
    assert.ok(took >= 80_000 && took <= 80_100, `took ${took} ms of clock time`);
    assert.ok((await h.storedEvents(rollout.id)).includes('rollout.paused'));
  });

  test('promote of a rollout paused during a step skips the rest of that step', async () => {
    const rollout = await h.begin(canary());
    h.at(5_000, () => request(rollout.id, 'pause'));
    h.at(10_000, () => request(rollout.id, 'promote'));
    const outcome = await h.drive(rollout.id);
    assert.equal(outcome.status, 'completed');
    assert.deepEqual(stepsApplied(), [0, 1, 2, 3, 4]);
    assert.deepEqual(
      h.events.filter((e) => e.type === 'rollout.resumed'),
      [{ type: 'rollout.resumed', rollout: rollout.id, step: 2 }],
    );
  });

  test('abort during a hold flips all traffic back to the stable revision and removes the new one', async () => {
    const rollout = await h.begin(canary());
    h.at(25_000, () => request(rollout.id, 'abort'));

    const outcome = await h.drive(rollout.id);

    assert.deepEqual(outcome, { status: 'aborted', reason: 'aborted by request' });
    assert.deepEqual(await h.weights(), { [S]: 100 }, 'the new revision is gone');
    assert.deepEqual(await h.desired(), { [S]: INSTANCES });
    assert.deepEqual(stepsApplied(), [0, 1, 2]);
    const stored = await h.store.getRollout(rollout.id);
    assert.equal(stored?.phase, 'aborted');
    assert.equal(stored?.reason, 'aborted by request');
    assert.equal(stored?.request, null);
    // The flip takes no clock time: nothing waits between the decision and the router update.
    assert.deepEqual(
      h.events.filter((e) => e.type === 'rollout.rollback'),
      [{ type: 'rollout.rollback', rollout: rollout.id, reason: 'aborted by request', restoreMs: 0 }],
    );
    assert.equal(stored?.data.decidedAt, rollout.startedAt + 25_000);
    const events = await h.storedEvents(rollout.id);
    assert.equal(events.at(-1), 'rollout.aborted');
    assert.ok(!events.includes('service.rolledback'), 'an abort is not an automatic rollback');
  });

  test('abort of a paused rollout rolls it back without applying another step', async () => {
    const steps = canary().map((s, i) =>
      i === 1 ? step('traffic', s.weights, s.instances, { pause: true }) : s,
    );
    const rollout = await h.begin(steps);
    h.at(15_000, () => request(rollout.id, 'abort'));
    const outcome = await h.drive(rollout.id);
    assert.equal(outcome.status, 'aborted');
    assert.deepEqual(stepsApplied(), [0, 1]);
    assert.deepEqual(await h.weights(), { [S]: 100 });
  });

  test('requestControl drives a rollout whose controller is gone, here, to its end', async () => {
    const rollout = await h.begin(canary());
    // Its controller stopped at step 1 long ago: no owner, traffic left where it was.
    await h.store.updateRollout(rollout.id, { step: 1, owner: null, heartbeatAt: null });
    const { outcome } = await h.run(requestControl(h.deps({ owner: 'controller-b' }), h.ref, 'promote_full'));
    assert.equal(outcome?.status, 'completed');
    // The stored step is applied again (its hold sees the request at once), then the jump.
    assert.deepEqual(stepsApplied(), [1, 3, 4]);
    assert.equal((await h.store.getRollout(rollout.id))?.owner, 'controller-b');
  });

  test('requestControl only records the request while a live controller drives the rollout', async () => {
    const rollout = await h.begin(canary());
    // Another controller holds the lease, its heartbeat fresh.
    await h.store.updateRollout(rollout.id, { owner: 'controller-b', heartbeatAt: h.clock.now() });
    const { rollout: stored, outcome } = await h.run(requestControl(h.deps(), h.ref, 'abort'));
    assert.equal(outcome, undefined);
    assert.equal(stored.request, 'abort');
    assert.deepEqual(h.events, [], 'nothing was driven here');
  });
});
