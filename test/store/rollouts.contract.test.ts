// Store contract suite, rollouts: written once, run unchanged against SQLite and PostgreSQL.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { createBackends, fakeClock } from './helpers/backends.js';
import { rejectsWith, SHA } from './helpers/contract.js';

for (const backend of createBackends()) {
  // Every test opens its own fresh store, so the groups run side by side (tests inside a group in order).
  describe(`store contract: ${backend.name}`, { concurrency: true }, () => {
    after(() => backend.cleanup());

    describe('rollouts', () => {
      const base = {
        service: 'web',
        environment: 'prod',
        revision: 'r-bbbbbbbbbbbb',
        stableRevision: 'r-aaaaaaaaaaaa',
        strategy: 'canary',
        plan: { steps: [{ action: 'traffic', weights: { a: 95, b: 5 } }] },
        actor: 'alice',
      };

      test('createRollout starts at step 0 running; get, list and update read it back', async () => {
        const clock = fakeClock(1_700_000_000_000);
        const { store } = await backend.fresh(clock);
        const rollout = await store.createRollout({ ...base, commitSha: SHA, owner: 'pid:1' });
        assert.equal(rollout.phase, 'running');
        assert.equal(rollout.step, 0);
        assert.equal(rollout.startedAt, 1_700_000_000_000);
        assert.equal(rollout.heartbeatAt, 1_700_000_000_000);
        assert.deepEqual(rollout.plan, base.plan);
        assert.deepEqual(rollout.data, {});
        assert.deepEqual(await store.getRollout(rollout.id), rollout);
        clock.advance(5);
        const moved = await store.updateRollout(rollout.id, {
          step: 2,
          data: { p99: 12.5 },
          request: 'promote',
        });
        assert.equal(moved.step, 2);
        assert.equal(moved.updatedAt, 1_700_000_000_005);
        assert.deepEqual(moved.data, { p99: 12.5 });
        assert.equal(moved.request, 'promote');
        assert.equal(moved.phase, 'running');
        const cleared = await store.updateRollout(rollout.id, { request: null });
        assert.equal(cleared.request, null);
        assert.equal(await store.getRollout(9999), undefined);
        await rejectsWith(store.updateRollout(9999, { step: 1 }), 'NOT_FOUND');
      });

      test('one active rollout per service and environment; finished ones do not count', async () => {
        const { store } = await backend.fresh(fakeClock(1));
        const first = await store.createRollout(base);
        await rejectsWith(store.createRollout(base), 'ROLLOUT_ACTIVE');
        await store.updateRollout(first.id, { phase: 'paused' });
        await rejectsWith(store.createRollout(base), 'ROLLOUT_ACTIVE');
        const other = await store.createRollout({ ...base, environment: 'staging' });
        assert.equal(other.phase, 'running');
        await store.updateRollout(first.id, {
          phase: 'rolled_back',
          reason: 'error_rate 12% > 1%',
          finishedAt: 2,
        });
        const second = await store.createRollout(base);
        assert.ok(second.id > first.id);
        const all = await store.listRollouts({ service: 'web', environment: 'prod' });
        assert.deepEqual(
          all.map((r) => r.id),
          [second.id, first.id],
        );
        assert.deepEqual(
          (await store.listRollouts({ active: true })).map((r) => r.id).sort(),
          [other.id, second.id].sort(),
        );
        assert.deepEqual(
          (await store.listRollouts({ active: false })).map((r) => r.reason),
          ['error_rate 12% > 1%'],
        );
        assert.equal((await store.listRollouts({ limit: 1 })).length, 1);
      });

      test('claimRollout: free, own and stale rollouts can be claimed; a live owner keeps it', async () => {
        const clock = fakeClock(1000);
        const { store } = await backend.fresh(clock);
        const rollout = await store.createRollout({ ...base, owner: 'a' });
        assert.equal(await store.claimRollout(rollout.id, 'b', 500), false, 'a is alive');
        assert.equal(await store.claimRollout(rollout.id, 'a', 500), true, 'its own');
        clock.advance(10_000);
        assert.equal(await store.claimRollout(rollout.id, 'b', 5000), true, 'a went stale');
        assert.equal((await store.getRollout(rollout.id))?.owner, 'b');
        await store.updateRollout(rollout.id, { owner: null });
        assert.equal(await store.claimRollout(rollout.id, 'c', 0), true, 'free');
      });
    });
  });
}
