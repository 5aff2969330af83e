// Store contract suite, run state (runs, job runs, logs, approvals): run on SQLite and PostgreSQL.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { isStoreError } from '../../src/store/errors.js';
import type { NewLogLine } from '../../src/store/store.js';
import { createBackends, fakeClock } from './helpers/backends.js';
import { rejectsWith, SHA } from './helpers/contract.js';

for (const backend of createBackends()) {
  // Every test opens its own fresh store, so the groups run side by side (tests inside a group in order).
  describe(`store contract: ${backend.name}`, { concurrency: true }, () => {
    after(() => backend.cleanup());

    describe('runs', () => {
      test('createRun fills defaults and getRun reads it back', async () => {
        const clock = fakeClock(1_700_000_000_000);
        const { store } = await backend.fresh(clock);
        const plan = { stages: ['build', 'test'], jobs: [{ key: 'build/compile', needs: [] }] };
        const run = await store.createRun({
          pipeline: 'shop',
          actor: 'alice',
          trigger: 'push',
          commitSha: SHA,
          branch: 'main',
          concurrencyGroup: 'deploy-prod',
          plan,
          pid: 4242,
        });
        assert.equal(typeof run.id, 'number');
        assert.deepEqual(run, {
          id: run.id,
          pipeline: 'shop',
          status: 'queued',
          commitSha: SHA,
          branch: 'main',
          actor: 'alice',
          trigger: 'push',
          concurrencyGroup: 'deploy-prod',
          plan,
          createdAt: 1_700_000_000_000,
          startedAt: null,
          finishedAt: null,
          pid: 4242,
          heartbeatAt: null,
          owner: null,
        });
        assert.deepEqual(await store.getRun(run.id), run);
        const bare = await store.createRun({ pipeline: 'shop', actor: 'bob', trigger: 'manual' });
        assert.equal(bare.plan, null);
        assert.equal(bare.concurrencyGroup, null);
        assert.ok(bare.id > run.id);
      });

      test('getRun returns undefined for an unknown id', async () => {
        const { store } = await backend.fresh();
        assert.equal(await store.getRun(12345), undefined);
      });

      test('listRuns returns newest first and filters by status, group and limit', async () => {
        const { store } = await backend.fresh();
        const base = { pipeline: 'shop', actor: 'a', trigger: 'push' } as const;
        const r1 = await store.createRun({ ...base, status: 'success' });
        const r2 = await store.createRun({ ...base, status: 'running', concurrencyGroup: 'prod' });
        const r3 = await store.createRun({ ...base, concurrencyGroup: 'prod' });
        const r4 = await store.createRun({ ...base, status: 'failure' });
        const ids = async (filter?: Parameters<typeof store.listRuns>[0]) =>
          (await store.listRuns(filter)).map((run) => run.id);
        assert.deepEqual(await ids(), [r4.id, r3.id, r2.id, r1.id]);
        assert.deepEqual(await ids({ status: 'queued' }), [r3.id]);
        assert.deepEqual(await ids({ status: ['queued', 'running', 'waiting'] }), [r3.id, r2.id]);
        assert.deepEqual(await ids({ concurrencyGroup: 'prod', status: 'running' }), [r2.id]);
        assert.deepEqual(await ids({ limit: 2 }), [r4.id, r3.id]);
        assert.deepEqual(await ids({ status: [] }), []);
      });

      test('updateRun changes only the patched fields', async () => {
        const { store } = await backend.fresh();
        const run = await store.createRun({ pipeline: 'shop', actor: 'a', trigger: 'push', plan: { v: 1 } });
        await store.updateRun(run.id, {
          status: 'running',
          startedAt: 111,
          pid: 99,
          heartbeatAt: 222,
          plan: { v: 2 },
        });
        const updated = {
          ...run,
          status: 'running',
          startedAt: 111,
          pid: 99,
          heartbeatAt: 222,
          plan: { v: 2 },
        };
        assert.deepEqual(await store.getRun(run.id), updated);
        await store.updateRun(run.id, { status: 'success', finishedAt: 333, pid: null });
        const finished = { ...updated, status: 'success', finishedAt: 333, pid: null };
        assert.deepEqual(await store.getRun(run.id), finished);
        await store.updateRun(run.id, {});
        assert.deepEqual(await store.getRun(run.id), finished);
      });

      test('updateRun on a missing run throws NOT_FOUND', async () => {
        const { store } = await backend.fresh();
        await rejectsWith(store.updateRun(999, { status: 'running' }), 'NOT_FOUND');
        await rejectsWith(store.updateRun(999, {}), 'NOT_FOUND');
      });

      test('claimRun: a run is leased to its owner until its heartbeat is stale; finished runs are not claimable', async () => {
        const clock = fakeClock(1000);
        const { store } = await backend.fresh(clock);
        const run = await store.createRun({ pipeline: 'p', actor: 'a', trigger: 't', owner: 'a' });
        assert.equal(run.owner, 'a');
        assert.equal(run.heartbeatAt, 1000);
        assert.equal(await store.claimRun(run.id, 'b', 500), false, 'a is alive');
        clock.advance(100);
        assert.equal(await store.claimRun(run.id, 'a', 500), true, 'a renews its own lease');
        assert.equal((await store.getRun(run.id))?.heartbeatAt, 1100);
        clock.advance(10_000);
        const racing = await Promise.all([
          store.claimRun(run.id, 'b', 6000),
          store.claimRun(run.id, 'c', 6000),
        ]);
        assert.deepEqual(racing.filter(Boolean).length, 1, 'exactly one of two takers wins');
        const winner = racing[0] ? 'b' : 'c';
        assert.equal((await store.getRun(run.id))?.owner, winner);
        assert.equal(await store.claimRun(run.id, 'a', 6000), false, 'the old owner lost it');
        await store.updateRun(run.id, { status: 'success' });
        assert.equal(await store.claimRun(run.id, winner, Number.MAX_SAFE_INTEGER), false, 'finished');
        const old = await store.createRun({ pipeline: 'p', actor: 'a', trigger: 't' });
        assert.equal(old.owner, null);
        assert.equal(await store.claimRun(old.id, 'd', 0), true, 'a run without an owner is free');
      });
    });

    describe('job runs', () => {
      test('upsertJobRun inserts with defaults, then updates only the patched fields', async () => {
        const { store } = await backend.fresh();
        const run = await store.createRun({ pipeline: 'shop', actor: 'a', trigger: 'push' });
        const other = await store.createRun({ pipeline: 'shop', actor: 'a', trigger: 'push' });
        const inserted = await store.upsertJobRun(run.id, 'test[node=18]', {
          stage: 'test',
          matrix: { node: 18 },
        });
        assert.deepEqual(inserted, {
          runId: run.id,
          jobKey: 'test[node=18]',
          stage: 'test',
          status: 'pending',
          attempts: 0,
          exitCode: null,
          startedAt: null,
          finishedAt: null,
          outputs: {},
          matrix: { node: 18 },
          message: null,
        });
        const running = await store.upsertJobRun(run.id, 'test[node=18]', {
          status: 'running',
          attempts: 1,
          startedAt: 5,
        });
        assert.deepEqual(running, { ...inserted, status: 'running', attempts: 1, startedAt: 5 });
        const done = await store.upsertJobRun(run.id, 'test[node=18]', {
          status: 'failure',
          exitCode: 2,
          finishedAt: 9,
          outputs: { report: 'junit.xml' },
          message: 'exit code 2',
        });
        assert.deepEqual(done, {
          ...running,
          status: 'failure',
          exitCode: 2,
          finishedAt: 9,
          outputs: { report: 'junit.xml' },
          message: 'exit code 2',
        });
        assert.deepEqual(await store.upsertJobRun(run.id, 'test[node=18]', {}), done);
        const build = await store.upsertJobRun(run.id, 'build/compile', {
          stage: 'build',
          status: 'success',
        });
        await store.upsertJobRun(other.id, 'build/compile', {});
        assert.deepEqual(await store.listJobRuns(run.id), [build, done]);
        assert.equal((await store.listJobRuns(other.id)).length, 1);
      });

      test('upsertJobRun for a missing run throws NOT_FOUND', async () => {
        const { store } = await backend.fresh();
        await rejectsWith(store.upsertJobRun(404, 'build', { status: 'running' }), 'NOT_FOUND');
        assert.deepEqual(await store.listJobRuns(404), []);
      });
    });

    describe('logs', () => {
      test('appendLogs stores a large batch that readLogs pages through with afterId', async () => {
        const clock = fakeClock(5_000);
        const { store } = await backend.fresh(clock);
        const run = await store.createRun({ pipeline: 'shop', actor: 'a', trigger: 'push' });
        const entries: NewLogLine[] = [];
        for (let i = 0; i < 1200; i++) {
          entries.push({
            runId: run.id,
            jobKey: i % 3 === 0 ? 'build' : 'test',
            stream: i % 2 === 0 ? 'stdout' : 'stderr',
            text: `line ${i}`,
          });
        }
        await store.appendLogs(entries);
        await store.appendLogs([]);
        const all = await store.readLogs(run.id);
        assert.equal(all.length, 1200);
        assert.deepEqual(
          all.map((line) => line.text),
          entries.map((entry) => entry.text),
        );
        for (let i = 1; i < all.length; i++) assert.ok(all[i]!.id > all[i - 1]!.id);
        assert.deepEqual(all[0], {
          id: all[0]!.id,
          runId: run.id,
          jobKey: 'build',
          attempt: 1,
          stream: 'stdout',
          time: 5_000,
          text: 'line 0',
        });

        const page = await store.readLogs(run.id, { afterId: all[9]!.id, limit: 5 });
        assert.deepEqual(page, all.slice(10, 15));
        const build = await store.readLogs(run.id, { jobKey: 'build' });
        assert.equal(build.length, 400);
        assert.ok(build.every((line) => line.jobKey === 'build'));
        assert.deepEqual(await store.readLogs(run.id, { afterId: all.at(-1)!.id }), []);
      });

      test('appendLogs keeps attempt, stream and time and is all-or-nothing', async () => {
        const { store } = await backend.fresh();
        const run = await store.createRun({ pipeline: 'shop', actor: 'a', trigger: 'push' });
        await store.appendLogs([
          { runId: run.id, jobKey: 'deploy', attempt: 2, stream: 'system', time: 77, text: 'retrying' },
        ]);
        const [line] = await store.readLogs(run.id);
        assert.deepEqual(line, {
          id: line!.id,
          runId: run.id,
          jobKey: 'deploy',
          attempt: 2,
          stream: 'system',
          time: 77,
          text: 'retrying',
        });

        await rejectsWith(
          store.appendLogs([
            { runId: run.id, jobKey: 'deploy', stream: 'stdout', text: 'would be lost' },
            { runId: run.id + 1000, jobKey: 'deploy', stream: 'stdout', text: 'no such run' },
          ]),
          'NOT_FOUND',
        );
        assert.equal((await store.readLogs(run.id)).length, 1);
      });
    });

    describe('approvals', () => {
      test('request, decide once, and a second decision conflicts', async () => {
        const clock = fakeClock(1_000);
        const { store } = await backend.fresh(clock);
        const run = await store.createRun({ pipeline: 'shop', actor: 'a', trigger: 'push' });
        const pending = await store.requestApproval(run.id, 'prod');
        assert.deepEqual(pending, {
          runId: run.id,
          environment: 'prod',
          status: 'pending',
          requestedAt: 1_000,
          decidedAt: null,
          decidedBy: null,
          comment: null,
          required: 1,
          votes: [],
        });
        clock.advance(500);
        assert.deepEqual(
          await store.requestApproval(run.id, 'prod'),
          pending,
          'requesting again is idempotent',
        );
        const staging = await store.requestApproval(run.id, 'staging');

        clock.advance(500);
        const approved = await store.decideApproval(run.id, 'prod', {
          decision: 'approved',
          by: 'carol',
          comment: 'ship it',
        });
        assert.deepEqual(approved, {
          ...pending,
          status: 'approved',
          decidedAt: 2_000,
          decidedBy: 'carol',
          comment: 'ship it',
          votes: [{ by: 'carol', at: 2_000, comment: 'ship it' }],
        });

        await rejectsWith(
          store.decideApproval(run.id, 'prod', { decision: 'rejected', by: 'dave' }),
          'APPROVAL_DECIDED',
        );
        assert.deepEqual(await store.getApproval(run.id, 'prod'), approved);
        assert.deepEqual(await store.listApprovals(run.id), [approved, staging]);
        assert.equal(await store.getApproval(run.id, 'qa'), undefined);
      });

      test('two racing decisions: exactly one wins', async () => {
        const { store } = await backend.fresh();
        const run = await store.createRun({ pipeline: 'shop', actor: 'a', trigger: 'push' });
        await store.requestApproval(run.id, 'prod');
        const results = await Promise.allSettled([
          store.decideApproval(run.id, 'prod', { decision: 'approved', by: 'carol' }),
          store.decideApproval(run.id, 'prod', { decision: 'rejected', by: 'dave' }),
        ]);
        const won = results.filter((result) => result.status === 'fulfilled');
        const lost = results.filter((result) => result.status === 'rejected');
        assert.equal(won.length, 1);
        assert.equal(lost.length, 1);
        assert.ok(isStoreError(lost[0]!.reason, 'APPROVAL_DECIDED'));
        const stored = await store.getApproval(run.id, 'prod');
        assert.deepEqual(stored, won[0]!.value);
      });

      test('deciding an unrequested approval or requesting one for a missing run throws NOT_FOUND', async () => {
        const { store } = await backend.fresh();
        const run = await store.createRun({ pipeline: 'shop', actor: 'a', trigger: 'push' });
        await rejectsWith(
          store.decideApproval(run.id, 'prod', { decision: 'approved', by: 'x' }),
          'NOT_FOUND',
        );
        await rejectsWith(store.requestApproval(run.id + 1000, 'prod'), 'NOT_FOUND');
        await store.requestApproval(run.id, 'prod');
        await rejectsWith(
          store.decideApproval(run.id, 'prod', { decision: 'approved', by: ' ' }),
          'INVALID_INPUT',
        );
        assert.equal((await store.getApproval(run.id, 'prod'))?.status, 'pending');
      });
    });
  });
}
