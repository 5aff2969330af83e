// Store contract suite, gates that need several approvers: one vote per actor, the gate approved at
// its count, racing votes all counted; and runs of one commit. Run on SQLite and PostgreSQL.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { isStoreError } from '../../src/store/errors.js';
import { createBackends, fakeClock } from './helpers/backends.js';
import { rejectsWith, SHA } from './helpers/contract.js';

for (const backend of createBackends()) {
  describe(`store contract: ${backend.name}`, { concurrency: true }, () => {
    after(() => backend.cleanup());

    describe('approval votes', () => {
      test('a gate needing 2 stays pending after one approval, refuses the same actor again, and opens at the second', async () => {
        const clock = fakeClock(1_000);
        const { store } = await backend.fresh(clock);
        const run = await store.createRun({ pipeline: 'shop', actor: 'carol', trigger: 'cli' });
        const pending = await store.requestApproval(run.id, 'production', { required: 2 });
        assert.equal(pending.required, 2);
        assert.deepEqual(pending.votes, []);
        assert.deepEqual(
          await store.requestApproval(run.id, 'production', { required: 5 }),
          pending,
          'requesting again keeps the first count',
        );

        clock.advance(100);
        const first = await store.decideApproval(run.id, 'production', {
          decision: 'approved',
          by: 'alice',
          comment: 'tests look fine',
        });
        assert.equal(first.status, 'pending');
        assert.equal(first.decidedBy, null);
        assert.deepEqual(first.votes, [{ by: 'alice', at: 1_100, comment: 'tests look fine' }]);

        clock.advance(100);
        await rejectsWith(
          store.decideApproval(run.id, 'production', { decision: 'approved', by: 'alice' }),
          'APPROVAL_VOTED',
        );
        assert.deepEqual(
          await store.getApproval(run.id, 'production'),
          first,
          'a refused vote changes nothing',
        );

        clock.advance(100);
        const second = await store.decideApproval(run.id, 'production', { decision: 'approved', by: 'bob' });
        assert.deepEqual(second, {
          ...pending,
          status: 'approved',
          decidedAt: 1_300,
          decidedBy: 'bob',
          comment: null,
          votes: [
            { by: 'alice', at: 1_100, comment: 'tests look fine' },
            { by: 'bob', at: 1_300, comment: null },
          ],
        });
        assert.deepEqual(await store.listApprovals(run.id), [second]);
        await rejectsWith(
          store.decideApproval(run.id, 'production', { decision: 'approved', by: 'dave' }),
          'APPROVAL_DECIDED',
        );
      });

      test('a rejection decides a gate at once, whatever its count and votes', async () => {
        const { store } = await backend.fresh();
        const run = await store.createRun({ pipeline: 'shop', actor: 'carol', trigger: 'cli' });
        await store.requestApproval(run.id, 'production', { required: 3 });
        await store.decideApproval(run.id, 'production', { decision: 'approved', by: 'alice' });
        const rejected = await store.decideApproval(run.id, 'production', {
          decision: 'rejected',
          by: 'bob',
          comment: 'not today',
        });
        assert.equal(rejected.status, 'rejected');
        assert.equal(rejected.decidedBy, 'bob');
        assert.deepEqual(
          rejected.votes.map((v) => v.by),
          ['alice'],
        );
      });

      test('racing approvals by distinct actors all count: the gate opens exactly at its count', async () => {
        const { store } = await backend.fresh();
        const run = await store.createRun({ pipeline: 'shop', actor: 'carol', trigger: 'cli' });
        await store.requestApproval(run.id, 'production', { required: 3 });
        const actors = ['a1', 'a2', 'a3', 'a4', 'a5'];
        const results = await Promise.allSettled(
          actors.map((by) => store.decideApproval(run.id, 'production', { decision: 'approved', by })),
        );
        const won = results.filter((r) => r.status === 'fulfilled');
        const lost = results.filter((r) => r.status === 'rejected');
        assert.equal(won.length, 3, JSON.stringify(results));
        for (const r of lost) assert.ok(isStoreError(r.reason, 'APPROVAL_DECIDED'), String(r.reason));
        const stored = await store.getApproval(run.id, 'production');
        assert.equal(stored?.status, 'approved');
        assert.equal(stored?.votes.length, 3);
        assert.equal(new Set(stored?.votes.map((v) => v.by)).size, 3);
        assert.ok(won.some((r) => r.value.status === 'approved' && r.value.decidedBy === stored?.decidedBy));
      });

      test('racing approvals by the same actor count once', async () => {
        const { store } = await backend.fresh();
        const run = await store.createRun({ pipeline: 'shop', actor: 'carol', trigger: 'cli' });
        await store.requestApproval(run.id, 'production', { required: 2 });
        const results = await Promise.allSettled(
          [1, 2, 3].map(() =>
            store.decideApproval(run.id, 'production', { decision: 'approved', by: 'alice' }),
          ),
        );
        assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
        for (const r of results)
          if (r.status === 'rejected') assert.ok(isStoreError(r.reason, 'APPROVAL_VOTED'), String(r.reason));
        const stored = await store.getApproval(run.id, 'production');
        assert.equal(stored?.status, 'pending');
        assert.deepEqual(
          stored?.votes.map((v) => v.by),
          ['alice'],
        );
      });

      test('a vote inside a caller transaction rolls back with it; a bad count is INVALID_INPUT', async () => {
        const { store } = await backend.fresh();
        const run = await store.createRun({ pipeline: 'shop', actor: 'carol', trigger: 'cli' });
        await rejectsWith(store.requestApproval(run.id, 'production', { required: 0 }), 'INVALID_INPUT');
        await store.requestApproval(run.id, 'production', { required: 2 });
        await assert.rejects(
          store.transaction(async (tx) => {
            await tx.decideApproval(run.id, 'production', { decision: 'approved', by: 'alice' });
            throw new Error('the caller changed its mind');
          }),
          /changed its mind/,
        );
        const stored = await store.getApproval(run.id, 'production');
        assert.deepEqual(stored?.votes, []);
        const again = await store.transaction((tx) =>
          tx.decideApproval(run.id, 'production', { decision: 'approved', by: 'alice' }),
        );
        assert.deepEqual(
          again.votes.map((v) => v.by),
          ['alice'],
        );
      });
    });

    describe('runs of one commit', () => {
      test('listRuns filters by commit SHA', async () => {
        const { store } = await backend.fresh();
        const other = 'b'.repeat(40);
        const first = await store.createRun({ pipeline: 'shop', actor: 'a', trigger: 'cli', commitSha: SHA });
        await store.createRun({ pipeline: 'shop', actor: 'a', trigger: 'cli', commitSha: other });
        const third = await store.createRun({ pipeline: 'shop', actor: 'a', trigger: 'cli', commitSha: SHA });
        await store.createRun({ pipeline: 'shop', actor: 'a', trigger: 'cli' });
        assert.deepEqual(
          (await store.listRuns({ commitSha: SHA })).map((r) => r.id),
          [third.id, first.id],
        );
        assert.deepEqual(await store.listRuns({ commitSha: 'c'.repeat(40) }), []);
      });
    });
  });
}
