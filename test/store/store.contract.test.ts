// Store contract suite, the Store itself (backend, close, transactions): run on SQLite and PostgreSQL.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { createBackends } from './helpers/backends.js';
import { rejectsWith } from './helpers/contract.js';

for (const backend of createBackends()) {
  // Every test opens its own fresh store, so the groups run side by side (tests inside a group in order).
  describe(`store contract: ${backend.name}`, { concurrency: true }, () => {
    after(() => backend.cleanup());

    test('close is idempotent and a closed store rejects calls with a StoreError', async () => {
      const { store } = await backend.fresh();
      assert.equal(store.backend, backend.name);
      await store.close();
      await store.close();
      await rejectsWith(store.listRuns(), 'DB_ERROR');
    });

    describe('transactions', () => {
      test('commits all writes together and returns the callback result', async () => {
        const { store } = await backend.fresh();
        const runId = await store.transaction(async (tx) => {
          const run = await tx.createRun({ pipeline: 'shop', actor: 'a', trigger: 'push' });
          await tx.upsertJobRun(run.id, 'build', { status: 'running' });
          await tx.appendEvent({ type: 'pipelinerun.started', actor: 'a', runId: run.id });
          return run.id;
        });
        assert.equal((await store.getRun(runId))?.pipeline, 'shop');
        assert.equal((await store.listJobRuns(runId)).length, 1);
        assert.equal((await store.listEvents({ runId })).length, 1);
      });

      test('a throwing callback rolls back every write and rethrows its error', async () => {
        const { store } = await backend.fresh();
        const existing = await store.createRun({ pipeline: 'shop', actor: 'a', trigger: 'push' });
        await store.requestApproval(existing.id, 'prod');
        const boom = new Error('boom');
        await assert.rejects(
          store.transaction(async (tx) => {
            const run = await tx.createRun({ pipeline: 'shop', actor: 'a', trigger: 'push' });
            await tx.appendEvent({ type: 'pipelinerun.queued', actor: 'a', runId: run.id });
            await tx.appendLogs([{ runId: run.id, jobKey: 'build', stream: 'stdout', text: 'x' }]);
            await tx.updateRun(existing.id, { status: 'cancelled' });
            await tx.decideApproval(existing.id, 'prod', { decision: 'approved', by: 'x' });
            assert.equal((await tx.listRuns()).length, 2, 'the transaction sees its own writes');
            throw boom;
          }),
          (error) => error === boom,
        );
        assert.deepEqual(await store.listRuns(), [existing]);
        assert.deepEqual(await store.listEvents(), []);
        assert.deepEqual(await store.readLogs(existing.id + 1), []);
        assert.equal((await store.getApproval(existing.id, 'prod'))?.status, 'pending');
      });

      test('a failing store call inside the transaction rolls everything back', async () => {
        const { store } = await backend.fresh();
        await rejectsWith(
          store.transaction(async (tx) => {
            await tx.createRun({ pipeline: 'shop', actor: 'a', trigger: 'push' });
            await tx.appendEvent({ type: 'nope' as never, actor: 'a' });
          }),
          'EVENT_INVALID',
        );
        assert.deepEqual(await store.listRuns(), []);
      });
    });
  });
}
