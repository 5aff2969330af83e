// Store contract suite, batched run-state writes (upsertJobRuns, appendEvents, writeRunProgress): run on SQLite and PostgreSQL.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { createBackends, fakeClock } from './helpers/backends.js';
import { rejectsWith, SHA } from './helpers/contract.js';

for (const backend of createBackends()) {
  describe(`store contract: ${backend.name}`, { concurrency: true }, () => {
    after(() => backend.cleanup());

    describe('batched writes', () => {
      test('upsertJobRuns merges patches of one job in order and writes jobs of different shapes', async () => {
        const { store } = await backend.fresh();
        const run = await store.createRun({ pipeline: 'shop', actor: 'a', trigger: 'push' });
        await store.upsertJobRun(run.id, 'lint', {
          stage: 'test',
          status: 'running',
          attempts: 1,
          startedAt: 3,
        });
        await store.upsertJobRuns(run.id, [
          { jobKey: 'build', patch: { stage: 'build', status: 'running', attempts: 1, startedAt: 5 } },
          { jobKey: 'test[node=18]', patch: { stage: 'test', status: 'running', matrix: { node: 18 } } },
          {
            jobKey: 'build',
            patch: { status: 'success', exitCode: 0, finishedAt: 9, outputs: { v: '1' }, message: null },
          },
          { jobKey: 'lint', patch: { status: 'failure', exitCode: 2, finishedAt: 8, message: 'exit 2' } },
        ]);
        const jobs = await store.listJobRuns(run.id);
        assert.deepEqual(jobs, [
          {
            runId: run.id,
            jobKey: 'build',
            stage: 'build',
            status: 'success',
            attempts: 1,
            exitCode: 0,
            startedAt: 5,
            finishedAt: 9,
            outputs: { v: '1' },
            matrix: null,
            message: null,
          },
          {
            runId: run.id,
            jobKey: 'lint',
            stage: 'test',
            status: 'failure',
            attempts: 1,
            exitCode: 2,
            startedAt: 3,
            finishedAt: 8,
            outputs: {},
            matrix: null,
            message: 'exit 2',
          },
          {
            runId: run.id,
            jobKey: 'test[node=18]',
            stage: 'test',
            status: 'running',
            attempts: 0,
            exitCode: null,
            startedAt: null,
            finishedAt: null,
            outputs: {},
            matrix: { node: 18 },
            message: null,
          },
        ]);
      });

      test('upsertJobRuns is all or none: a missing run is NOT_FOUND and writes nothing', async () => {
        const { store } = await backend.fresh();
        await rejectsWith(
          store.upsertJobRuns(404, [{ jobKey: 'build', patch: { status: 'running' } }]),
          'NOT_FOUND',
        );
        assert.deepEqual(await store.listJobRuns(404), []);
      });

      test('appendEvents stores events in order with clock defaults; one bad event stores none', async () => {
        const clock = fakeClock(1_700_000_000_000);
        const { store } = await backend.fresh(clock);
        const run = await store.createRun({ pipeline: 'shop', actor: 'a', trigger: 'push' });
        const many = Array.from({ length: 1200 }, (_, i) => ({
          type: 'taskrun.finished' as const,
          actor: 'a',
          runId: run.id,
          subject: `job${i}`,
          ...(i === 0 ? { commitSha: SHA, time: 5 } : {}),
          data: { n: i },
        }));
        await store.appendEvents(many);
        const stored = await store.listEvents({ runId: run.id });
        assert.equal(stored.length, 1200);
        assert.deepEqual(
          stored.map((e) => e.subject),
          many.map((e) => e.subject),
        );
        assert.deepEqual(stored[0], {
          id: stored[0]?.id,
          type: 'taskrun.finished',
          time: 5,
          actor: 'a',
          commitSha: SHA,
          service: null,
          environment: null,
          runId: run.id,
          subject: 'job0',
          data: { n: 0 },
        });
        assert.equal(stored[1]?.time, 1_700_000_000_000);
        await rejectsWith(
          store.appendEvents([
            { type: 'taskrun.started', actor: 'a', runId: run.id, subject: 'late' },
            { type: 'taskrun.started', actor: '', runId: run.id },
          ]),
          'EVENT_INVALID',
        );
        assert.equal((await store.listEvents({ runId: run.id })).length, 1200);
      });

      test('writeRunProgress stores logs, merged job patches and events together, alone or in a transaction', async () => {
        const clock = fakeClock(1_700_000_000_000);
        const { store } = await backend.fresh(clock);
        const run = await store.createRun({ pipeline: 'shop', actor: 'a', trigger: 'push' });
        await store.writeRunProgress(run.id, {
          logs: [{ runId: run.id, jobKey: 'build', stream: 'stdout', text: 'compiling' }],
          jobs: [
            { jobKey: 'build', patch: { stage: 'build', status: 'running', attempts: 1, startedAt: 5 } },
            {
              jobKey: 'build',
              patch: { status: 'success', exitCode: 0, finishedAt: 9, outputs: { v: '1' } },
            },
            { jobKey: 'test[node=18]', patch: { stage: 'test', status: 'running', matrix: { node: 18 } } },
          ],
          events: [
            { type: 'taskrun.started', actor: 'a', runId: run.id, subject: 'build' },
            {
              type: 'taskrun.finished',
              actor: 'a',
              runId: run.id,
              subject: 'build',
              commitSha: SHA,
              data: { n: 1 },
            },
          ],
        });
        await store.transaction(async (tx) => {
          await tx.updateRun(run.id, { heartbeatAt: 7 });
          await tx.writeRunProgress(run.id, {
            logs: [],
            jobs: [{ jobKey: 'test[node=18]', patch: { status: 'failure', exitCode: 1, message: 'exit 1' } }],
            events: [{ type: 'taskrun.finished', actor: 'a', runId: run.id, subject: 'test[node=18]' }],
          });
        });
        const jobs = await store.listJobRuns(run.id);
        assert.deepEqual(
          jobs.map((j) => [
            j.jobKey,
            j.stage,
            j.status,
            j.attempts,
            j.exitCode,
            j.startedAt,
            j.finishedAt,
            j.outputs,
            j.matrix,
            j.message,
          ]),
          [
            ['build', 'build', 'success', 1, 0, 5, 9, { v: '1' }, null, null],
            ['test[node=18]', 'test', 'failure', 0, 1, null, null, {}, { node: 18 }, 'exit 1'],
          ],
        );
        const events = await store.listEvents({ runId: run.id });
        assert.deepEqual(
          events.map((e) => [e.type, e.subject, e.time, e.commitSha, e.data]),
          [
            ['taskrun.started', 'build', 1_700_000_000_000, null, {}],
            ['taskrun.finished', 'build', 1_700_000_000_000, SHA, { n: 1 }],
            ['taskrun.finished', 'test[node=18]', 1_700_000_000_000, null, {}],
          ],
        );
        const logs = await store.readLogs(run.id);
        assert.deepEqual(
          logs.map((l) => [l.jobKey, l.attempt, l.stream, l.text, l.time]),
          [['build', 1, 'stdout', 'compiling', 1_700_000_000_000]],
        );
      });

      test('writeRunProgress is all or none: a bad event or a missing run writes nothing', async () => {
        const { store } = await backend.fresh();
        const run = await store.createRun({ pipeline: 'shop', actor: 'a', trigger: 'push' });
        await rejectsWith(
          store.writeRunProgress(run.id, {
            logs: [{ runId: run.id, jobKey: 'build', stream: 'stdout', text: 'x' }],
            jobs: [{ jobKey: 'build', patch: { status: 'running' } }],
            events: [{ type: 'taskrun.started', actor: '', runId: run.id }],
          }),
          'EVENT_INVALID',
        );
        await rejectsWith(
          store.writeRunProgress(404, {
            logs: [],
            jobs: [{ jobKey: 'build', patch: { status: 'running' } }],
            events: [{ type: 'taskrun.started', actor: 'a', subject: 'build' }],
          }),
          'NOT_FOUND',
        );
        assert.deepEqual(await store.listJobRuns(run.id), []);
        assert.deepEqual(await store.listJobRuns(404), []);
        assert.deepEqual(await store.readLogs(run.id), []);
        assert.deepEqual(await store.listEvents({}), []);
      });
    });
  });
}
