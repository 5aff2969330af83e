// The failover loop's events as the event log keeps them: the region.* type, the region as subject,
// the weights before and after, the switch time, and who caused it.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { regionEventOf } from './edge-events.js';

describe('regionEventOf', () => {
  const context = { service: 'web', env: 'production', weightsBefore: { us: 40, eu: 30, ap: 30 } };

  test('a switch: region.failedover with the weights before and after and the switch time', () => {
    const event = regionEventOf(
      {
        kind: 'failed_over',
        region: 'eu',
        mode: 'manual',
        since: 1000,
        at: 1010,
        health: { basis: 'unknown' },
        movedShare: 30,
        weights: { us: 57, eu: 0, ap: 43 },
        appliedAt: 1012,
        switchMs: 12,
      },
      { ...context, actor: 'ops' },
    );
    assert.deepEqual(event, {
      type: 'region.failedover',
      actor: 'ops',
      time: 1012,
      service: 'web',
      environment: 'production',
      subject: 'eu',
      data: {
        region: 'eu',
        mode: 'manual',
        since: 1000,
        at: 1010,
        health: { basis: 'unknown' },
        movedShare: 30,
        appliedAt: 1012,
        switchMs: 12,
        kind: 'failed_over',
        reason: 'command',
        weightsBefore: { us: 40, eu: 30, ap: 30 },
        weightsAfter: { us: 57, eu: 0, ap: 43 },
      },
    });
  });

  test('health events keep the weights, restores are region.restoring then region.restored', () => {
    const unhealthy = regionEventOf(
      {
        kind: 'unhealthy',
        region: 'ap',
        since: 5,
        at: 9,
        health: { basis: 'readiness', value: 0, ready: 0, desired: 2 },
        reason: 'manual_strategy',
      },
      { ...context, actor: 'ops' },
    );
    assert.equal(unhealthy.type, 'region.unhealthy');
    assert.equal(unhealthy.actor, 'slipway');
    assert.equal(unhealthy.data?.reason, 'manual_strategy');
    assert.deepEqual(unhealthy.data?.weightsAfter, context.weightsBefore);
    const base = {
      region: 'eu',
      mode: 'automatic' as const,
      since: 1,
      at: 2,
      weights: { us: 40, eu: 30, ap: 30 },
    };
    const step = regionEventOf(
      { ...base, kind: 'restore_progressed', step: 2, steps: 4, appliedAt: 3, switchMs: 2 },
      context,
    );
    assert.equal(step.type, 'region.restoring');
    assert.equal(step.data?.reason, 'step');
    const done = regionEventOf({ ...base, kind: 'restored', appliedAt: 3, switchMs: 2 }, context);
    assert.equal(done.type, 'region.restored');
    const all = regionEventOf(
      { kind: 'all_unhealthy', at: 4, regions: ['us', 'eu'], weights: base.weights },
      context,
    );
    assert.equal(all.type, 'region.unhealthy');
    assert.equal(all.subject, null);
    assert.equal(all.data?.reason, 'all_unhealthy');
  });
});
