// The step loop on a fake clock: instances, traffic and holds step by step, pauses after a step, and what is stored.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import {
  type ControllerHarness,
  controllerHarness,
  INSTANCES,
  step,
} from '../../../test/rollout/controller-harness.js';
import type { RolloutEvent } from './controller-types.js';

/** Every test ends in well under a second of real time; the holds take clock time only. */
const TIMEOUT = { timeout: 20_000 };

describe('RolloutController: the step loop', TIMEOUT, () => {
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
    step('traffic', { [S]: 75, [N]: 25 }, { [S]: INSTANCES, [N]: 1 }, { durationMs: 10_000, analyze: true }),
    step('promote', { [S]: 0, [N]: 100 }, { [S]: INSTANCES, [N]: INSTANCES }, { durationMs: 5_000 }),
    step('scaleDown', { [N]: 100 }, { [S]: 0, [N]: INSTANCES }),
  ];

  test('applies every step in order, holds each for its clock time and completes', async () => {
    // The canary has served nothing yet: with minRequests 0 every interval passes.
    h.platform.setMetrics(h.ref, N, {});
    const rollout = await h.begin(canary());
    const seen: Record<string, unknown> = {};
    h.at(5_000, async () => {
      seen.hold = { weights: await h.weights(), desired: await h.desired() };
    });
    h.at(12_000, async () => {
      seen.promote = { weights: await h.weights(), desired: await h.desired() };
    });

    const outcome = await h.drive(rollout.id);

    assert.deepEqual(outcome, { status: 'completed' });
    assert.deepEqual(seen.hold, { weights: { [S]: 75, [N]: 25 }, desired: { [S]: INSTANCES, [N]: 1 } });
    // The stable revision stays at full size while the new one takes all traffic: rollback is one flip.
    assert.deepEqual(seen.promote, {
      weights: { [N]: 100 },
      desired: { [S]: INSTANCES, [N]: INSTANCES },
    });
    assert.deepEqual(await h.weights(), { [N]: 100 });
    assert.deepEqual(await h.desired(), { [N]: INSTANCES });
    const steps = h.events.filter((e) => e.type === 'rollout.step');
    assert.deepEqual(
      steps.map((e) => [e.step, e.action]),
      [
        [0, 'scaleUp'],
        [1, 'traffic'],
        [2, 'promote'],
        [3, 'scaleDown'],
      ],
    );
    // One measurement per analysis interval of the analysed 10 s hold, the last one as it ends;
    // none in the 5 s one.
    const measured = h.events.filter((e) => e.type === 'analysis.measurement');
    assert.deepEqual(
      measured.map((e) => [e.step, e.verdict]),
      Array.from({ length: 10 }, () => [1, 'success']),
    );
    assert.deepEqual(h.events.at(-1), {
      type: 'rollout.finished',
      rollout: rollout.id,
      status: 'completed',
      revision: N,
    } satisfies RolloutEvent);
    const stored = await h.store.getRollout(rollout.id);
    assert.equal(stored?.phase, 'completed');
    assert.equal(stored?.step, 4);
    // Nothing but the holds takes clock time, so the rollout took exactly 10 s + 5 s.
    assert.equal((stored?.finishedAt ?? 0) - rollout.startedAt, 15_000);
    assert.ok((stored?.heartbeatAt ?? 0) >= rollout.startedAt + 14_000, 'the lease was renewed on the clock');
    assert.deepEqual(await h.storedEvents(rollout.id), [
      'rollout.progressed',
      'rollout.progressed',
      'rollout.progressed',
      'rollout.progressed',
      'rollout.completed',
      'service.upgraded',
    ]);
  });

  test('continues from the stored step: steps before it are not applied again', async () => {
    const rollout = await h.begin(canary());
    await h.store.updateRollout(rollout.id, { step: 2 });
    const outcome = await h.drive(rollout.id);
    assert.equal(outcome.status, 'completed');
    assert.deepEqual(
      h.events.filter((e) => e.type === 'rollout.step').map((e) => e.step),
      [2, 3],
    );
  });

  test('a hold without analysis looks for control requests every 50 ms of clock time', async () => {
    const rollout = await h.begin([
      step('traffic', { [S]: 75, [N]: 25 }, { [S]: INSTANCES, [N]: 1 }, { durationMs: 5_000 }),
    ]);
    let reads = 0;
    const store = new Proxy(h.store, {
      get: (target, property, receiver) =>
        property === 'getRollout'
          ? (id: number) => {
              reads++;
              return target.getRollout(id);
            }
          : Reflect.get(target, property, receiver),
    });
    const outcome = await h.drive(rollout.id, { store });
    assert.equal(outcome.status, 'completed');
    // 100 polls in 5 s, plus the controller's own reads around the step.
    assert.ok(reads >= 100 && reads <= 110, `${reads} reads`);
  });

  test('a step marked pause waits after it until promote, then goes on with the next one', async () => {
    const steps = canary().map((s, i) =>
      i === 1 ? step('traffic', s.weights, s.instances, { pause: true }) : s,
    );
    const rollout = await h.begin(steps);
    const seen: Record<string, unknown> = {};
    h.at(20_000, async () => {
      const paused = await h.store.getRollout(rollout.id);
      seen.paused = { phase: paused?.phase, step: paused?.step, reason: paused?.reason };
      seen.weights = await h.weights();
    });
    h.at(30_000, () => h.store.updateRollout(rollout.id, { request: 'promote' }));

    const outcome = await h.drive(rollout.id);

    assert.equal(outcome.status, 'completed');
    // Paused after step 1: the stored step already points at the next one.
    assert.deepEqual(seen.paused, { phase: 'paused', step: 2, reason: 'waiting for `slipway promote`' });
    assert.deepEqual(seen.weights, { [S]: 75, [N]: 25 });
    const control = h.events.filter((e) => e.type === 'rollout.paused' || e.type === 'rollout.resumed');
    assert.deepEqual(control, [
      { type: 'rollout.paused', rollout: rollout.id, step: 1, reason: 'waiting for `slipway promote`' },
      { type: 'rollout.resumed', rollout: rollout.id, step: 2 },
    ]);
    const stored = await h.store.getRollout(rollout.id);
    assert.equal(stored?.request, null);
    // Promote is seen on the paused loop's next poll (every 100 ms); then the 5 s hold of step 2.
    const took = (stored?.finishedAt ?? 0) - rollout.startedAt;
    assert.ok(took >= 35_000 && took <= 35_100, `took ${took} ms of clock time`);
  });

  test('a canary stage without a duration is a pause too (as the canary planner writes it)', async () => {
    const steps = [
      step('scaleUp', { [S]: 100, [N]: 0 }, { [S]: INSTANCES, [N]: 1 }),
      step('traffic', { [S]: 90, [N]: 10 }, { [S]: INSTANCES, [N]: 1 }, { pause: true }),
      step('promote', { [S]: 0, [N]: 100 }, { [S]: INSTANCES, [N]: INSTANCES }),
    ];
    const rollout = await h.begin(steps);
    h.at(60_000, () => h.store.updateRollout(rollout.id, { request: 'resume' }));
    const outcome = await h.drive(rollout.id);
    assert.equal(outcome.status, 'completed');
    // Resume after a pause that follows a step goes on with the next step, like promote.
    assert.deepEqual(
      h.events.filter((e) => e.type === 'rollout.step').map((e) => e.step),
      [0, 1, 2],
    );
  });

  test('a first deploy (no stable revision) ends with service.deployed', async () => {
    const rollout = await h.begin(
      [step('scaleUp', { [N]: 0 }, { [N]: INSTANCES }), step('promote', { [N]: 100 }, { [N]: INSTANCES })],
      { stable: undefined },
    );
    const outcome = await h.drive(rollout.id);
    assert.equal(outcome.status, 'completed');
    assert.deepEqual(await h.weights(), { [N]: 100 });
    assert.deepEqual((await h.storedEvents(rollout.id)).slice(-2), ['rollout.completed', 'service.deployed']);
  });
});
