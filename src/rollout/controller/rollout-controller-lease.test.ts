// Leases on a fake clock: a held lease is respected, a stale one taken over, a lost one stops the
// controller, and a controller that shuts down releases its rollout where it stands.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import {
  type ControllerHarness,
  controllerHarness,
  INSTANCES,
  OWNER,
  step,
} from '../../../test/rollout/controller-harness.js';
import { STALE_AFTER_MS } from './rollout-controller.js';

const TIMEOUT = { timeout: 20_000 };

describe('RolloutController: leases', TIMEOUT, () => {
  let h: ControllerHarness;
  let S: string;
  let N: string;
  beforeEach(async () => {
    h = await controllerHarness();
    S = h.stable.id;
    N = h.next.id;
  });
  afterEach(() => h.close());

  const canary = () => [
    step('scaleUp', { [S]: 100, [N]: 0 }, { [S]: INSTANCES, [N]: 1 }),
    step('traffic', { [S]: 75, [N]: 25 }, { [S]: INSTANCES, [N]: 1 }, { durationMs: 20_000 }),
    step('promote', { [S]: 0, [N]: 100 }, { [S]: INSTANCES, [N]: INSTANCES }),
    step('scaleDown', { [N]: 100 }, { [S]: 0, [N]: INSTANCES }),
  ];
  const stepsApplied = () => h.events.flatMap((e) => (e.type === 'rollout.step' ? [e.step] : []));
  /**
   * At `at` ms another controller takes the lease the way a takeover does (as if this one's
   * heartbeat were stale), then renews it every second like a live controller.
   */
  const takeOverAt = (id: number, at: number) => {
    h.at(at, () => h.store.claimRollout(id, 'controller-b', Number.MAX_SAFE_INTEGER));
    for (let t = at + 1_000; t <= at + 60_000; t += 1_000)
      h.at(t, () => h.store.claimRollout(id, 'controller-b', h.clock.now() - STALE_AFTER_MS));
  };

  test('a rollout whose controller still beats is left alone: busy, naming that controller', async () => {
    const rollout = await h.begin(canary());
    await h.store.updateRollout(rollout.id, {
      owner: 'controller-b',
      heartbeatAt: h.clock.now() - STALE_AFTER_MS + 1_000,
    });
    const outcome = await h.drive(rollout.id);
    assert.deepEqual(outcome, { status: 'busy', owner: 'controller-b' });
    assert.deepEqual(h.events, []);
    assert.equal((await h.store.getRollout(rollout.id))?.owner, 'controller-b');
  });

  test('a stale lease is taken over and the rollout continues from its stored step', async () => {
    const rollout = await h.begin(canary());
    await h.store.updateRollout(rollout.id, {
      step: 2,
      owner: 'controller-b',
      heartbeatAt: h.clock.now() - STALE_AFTER_MS - 1_000,
    });
    const outcome = await h.drive(rollout.id);
    assert.equal(outcome.status, 'completed');
    assert.deepEqual(stepsApplied(), [2, 3]);
    assert.equal((await h.store.getRollout(rollout.id))?.owner, OWNER);
  });

  test('losing the lease while paused stops this controller on its next heartbeat, leaving the rollout as it is', async () => {
    const steps = canary().map((s, i) =>
      i === 1 ? step('traffic', s.weights, s.instances, { pause: true }) : s,
    );
    const rollout = await h.begin(steps);
    takeOverAt(rollout.id, 10_500);

    const outcome = await h.drive(rollout.id);

    assert.deepEqual(outcome, { status: 'busy', owner: 'controller-b' });
    // Heartbeats come every second; the paused loop looks at the lease every 100 ms.
    const stoppedAfter = h.clock.now() - rollout.startedAt;
    assert.ok(stoppedAfter >= 11_000 && stoppedAfter <= 11_100, `stopped after ${stoppedAfter} ms`);
    const stored = await h.store.getRollout(rollout.id);
    assert.equal(stored?.phase, 'paused');
    assert.equal(stored?.owner, 'controller-b');
    assert.deepEqual(await h.weights(), { [S]: 75, [N]: 25 });
    assert.ok(!h.events.some((e) => e.type === 'rollout.finished'));
  });

  test('losing the lease during a hold applies no further step', async () => {
    const rollout = await h.begin(canary());
    takeOverAt(rollout.id, 5_500);
    const outcome = await h.drive(rollout.id);
    assert.deepEqual(outcome, { status: 'busy', owner: 'controller-b' });
    assert.deepEqual(stepsApplied(), [0, 1]);
    assert.deepEqual(await h.weights(), { [S]: 75, [N]: 25 });
    assert.equal((await h.store.getRollout(rollout.id))?.phase, 'running');
  });

  test('a controller that shuts down releases the rollout where it stands, for the next one to take at once', async () => {
    const rollout = await h.begin(canary());
    const shutdown = new AbortController();
    h.at(5_000, () => shutdown.abort());

    const outcome = await h.drive(rollout.id, { signal: shutdown.signal });

    assert.deepEqual(outcome, { status: 'released' });
    const stored = await h.store.getRollout(rollout.id);
    assert.equal(stored?.phase, 'running');
    assert.equal(stored?.step, 1);
    assert.equal(stored?.owner, null);
    assert.equal(stored?.heartbeatAt, null);
    assert.deepEqual(await h.weights(), { [S]: 75, [N]: 25 });

    // The next controller needs no staleness wait: it applies step 1 again and finishes.
    const next = await h.drive(rollout.id, { owner: 'controller-b' });
    assert.equal(next.status, 'completed');
    assert.deepEqual(stepsApplied(), [0, 1, 1, 2, 3]);
  });
});
