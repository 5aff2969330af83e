// The store contract suite: written once, run unchanged against SQLite and PostgreSQL.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { isStoreError, type StoreErrorCode } from '../../src/store/errors.js';
import type { NewEvent, NewLogLine } from '../../src/store/store.js';
import { createBackends, fakeClock, rawQuery } from './helpers/backends.js';

const BACKENDS = createBackends();
const SHA = 'a'.repeat(40);

/** Asserts that `promise` rejects with a StoreError of `code`. */
async function rejectsWith(promise: Promise<unknown>, code: StoreErrorCode): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(isStoreError(error), `expected a StoreError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    return true;
  });
}

for (const backend of BACKENDS) {
  // Every test opens its own fresh store, so the groups run side by side (tests inside a group in order).
  describe(`store contract: ${backend.name}`, { concurrency: true }, () => {
    after(() => backend.cleanup());

    describe('event log', () => {
      test('appendEvent stores every field and fills defaults from the clock', async () => {
        const clock = fakeClock(1_700_000_000_123);
        const { store } = await backend.fresh(clock);
        const full = await store.appendEvent({
          type: 'service.deployed',
          actor: 'alice',
          time: 1_700_000_000_000,
          commitSha: SHA,
          service: 'api',
          environment: 'prod',
          runId: 7,
          subject: 'deploy/api',
          data: { version: '1.2.3', nested: { replicas: 3 }, ok: true },
        });
        assert.equal(typeof full.id, 'number');
        assert.deepEqual(full, {
          id: full.id,
          type: 'service.deployed',
          time: 1_700_000_000_000,
          actor: 'alice',
          commitSha: SHA,
          service: 'api',
          environment: 'prod',
          runId: 7,
          subject: 'deploy/api',
          data: { version: '1.2.3', nested: { replicas: 3 }, ok: true },
        });
        const minimal = await store.appendEvent({ type: 'pipelinerun.queued', actor: 'ci' });
        assert.deepEqual(minimal, {
          id: minimal.id,
          type: 'pipelinerun.queued',
          time: 1_700_000_000_123,
          actor: 'ci',
          commitSha: null,
          service: null,
          environment: null,
          runId: null,
          subject: null,
          data: {},
        });
        assert.deepEqual(await store.listEvents(), [full, minimal]);
      });

      test('ids increase monotonically and listEvents orders by id, not by time', async () => {
        const { store } = await backend.fresh();
        const times = [50, 10, 40, 20, 30];
        const stored = [];
        for (const time of times)
          stored.push(await store.appendEvent({ type: 'taskrun.started', actor: 'a', time }));
        for (let i = 1; i < stored.length; i++) assert.ok(stored[i]!.id > stored[i - 1]!.id);
        const listed = await store.listEvents();
        assert.deepEqual(
          listed.map((event) => event.time),
          times,
        );
        assert.deepEqual(
          listed.map((event) => event.id),
          stored.map((event) => event.id),
        );
      });

      test('listEvents filters by project: the events of its runs, and with runlessToo those of no run', async () => {
        const { store } = await backend.fresh();
        const shop = await store.createRun({ pipeline: 'shop', actor: 'a', trigger: 't' });
        const blog = await store.createRun({ pipeline: 'blog', actor: 'a', trigger: 't' });
        const base: NewEvent = { type: 'pipelinerun.started', actor: 'a' };
        const s1 = await store.appendEvent({ ...base, runId: shop.id });
        const b1 = await store.appendEvent({ ...base, runId: blog.id });
        const none = await store.appendEvent({ type: 'service.deployed', actor: 'a', service: 'web' });
        const s2 = await store.appendEvent({ ...base, type: 'pipelinerun.finished', runId: shop.id });
        const ids = async (filter: Parameters<typeof store.listEvents>[0]) =>
          (await store.listEvents(filter)).map((event) => event.id);
        assert.deepEqual(await ids({ project: { pipeline: 'shop', runlessToo: false } }), [s1.id, s2.id]);
        assert.deepEqual(await ids({ project: { pipeline: 'shop', runlessToo: true } }), [
          s1.id,
          none.id,
          s2.id,
        ]);
        assert.deepEqual(await ids({ project: { pipeline: 'blog', runlessToo: false } }), [b1.id]);
        assert.deepEqual(await ids({ project: { pipeline: 'none', runlessToo: false } }), []);
        assert.deepEqual(
          await ids({ project: { pipeline: 'shop', runlessToo: true }, types: ['pipelinerun.finished'] }),
          [s2.id],
        );
      });

      test('listEvents filters by type, service, environment, run, commit, time window, afterId and limit', async () => {
        const { store } = await backend.fresh();
        const base: NewEvent = { type: 'service.deployed', actor: 'bob' };
        const e1 = await store.appendEvent({
          ...base,
          time: 100,
          service: 'api',
          environment: 'prod',
          runId: 1,
        });
        const e2 = await store.appendEvent({
          ...base,
          time: 200,
          service: 'api',
          environment: 'staging',
          runId: 1,
        });
        const e3 = await store.appendEvent({
          ...base,
          type: 'service.rolledback',
          time: 300,
          service: 'api',
        });
        const e4 = await store.appendEvent({ ...base, type: 'change.merged', time: 400, commitSha: SHA });
        const e5 = await store.appendEvent({
          ...base,
          time: 500,
          service: 'web',
          environment: 'prod',
          runId: 2,
        });
        const ids = async (filter: Parameters<typeof store.listEvents>[0]) =>
          (await store.listEvents(filter)).map((event) => event.id);

        assert.deepEqual(await ids({ types: ['service.rolledback', 'change.merged'] }), [e3.id, e4.id]);
        assert.deepEqual(await ids({ types: [] }), []);
        assert.deepEqual(await ids({ service: 'api' }), [e1.id, e2.id, e3.id]);
        assert.deepEqual(await ids({ service: 'api', environment: 'prod' }), [e1.id]);
        assert.deepEqual(await ids({ environment: 'prod' }), [e1.id, e5.id]);
        assert.deepEqual(await ids({ runId: 1 }), [e1.id, e2.id]);
        assert.deepEqual(await ids({ commitSha: SHA }), [e4.id]);
        assert.deepEqual(
          await ids({ since: 200, until: 400 }),
          [e2.id, e3.id],
          'since inclusive, until exclusive',
        );
        assert.deepEqual(await ids({ afterId: e3.id }), [e4.id, e5.id]);
        assert.deepEqual(await ids({ afterId: e1.id, limit: 2 }), [e2.id, e3.id]);
        assert.deepEqual(await ids({ types: ['service.deployed'], since: 150, service: 'api' }), [e2.id]);
        await rejectsWith(store.listEvents({ limit: 0 }), 'INVALID_INPUT');
      });

      test('appendEvent rejects invalid events with EVENT_INVALID and writes nothing', async () => {
        const { store } = await backend.fresh();
        const bad: unknown[] = [
          { type: 'pipeline.exploded', actor: 'a' },
          { type: 'service.deployed', actor: '' },
          { type: 'service.deployed' },
          { type: 'service.deployed', actor: 'a', commitSha: 'not-a-sha' },
          { type: 'service.deployed', actor: 'a', time: 1.5 },
          { type: 'service.deployed', actor: 'a', time: -1 },
          { type: 'service.deployed', actor: 'a', runId: 0 },
          { type: 'service.deployed', actor: 'a', service: '' },
          { type: 'service.deployed', actor: 'a', data: [1, 2] },
          { type: 'service.deployed', actor: 'a', data: { big: 1n } },
        ];
        for (const event of bad) {
          await rejectsWith(store.appendEvent(event as NewEvent), 'EVENT_INVALID');
        }
        assert.deepEqual(await store.listEvents(), []);
      });

      test('the database itself rejects UPDATE and DELETE on events', async () => {
        const { store, location } = await backend.fresh();
        const event = await store.appendEvent({ type: 'release.published', actor: 'a', subject: 'v1.0.0' });
        await assert.rejects(rawQuery(location, "UPDATE events SET actor = 'mallory'"), /append-only/);
        await assert.rejects(rawQuery(location, 'DELETE FROM events'), /append-only/);
        if (location.backend === 'postgres') {
          await assert.rejects(rawQuery(location, 'TRUNCATE events'), /append-only/);
        }
        assert.deepEqual(await store.listEvents(), [event]);
      });

      test('the Store API offers no way to change or remove an event', async () => {
        const { store } = await backend.fresh();
        const methods = new Set<string>();
        for (
          let proto = Object.getPrototypeOf(store);
          proto !== Object.prototype;
          proto = Object.getPrototypeOf(proto)
        ) {
          for (const name of Object.getOwnPropertyNames(proto)) methods.add(name);
        }
        const eventMethods = [...methods].filter((name) => /event/i.test(name)).sort();
        assert.deepEqual(eventMethods, ['appendEvent', 'listEvents']);
      });
    });

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
        const updated = await store.updateRun(run.id, {
          status: 'running',
          startedAt: 111,
          pid: 99,
          heartbeatAt: 222,
          plan: { v: 2 },
        });
        assert.deepEqual(updated, {
          ...run,
          status: 'running',
          startedAt: 111,
          pid: 99,
          heartbeatAt: 222,
          plan: { v: 2 },
        });
        const finished = await store.updateRun(run.id, { status: 'success', finishedAt: 333, pid: null });
        assert.deepEqual(finished, { ...updated, status: 'success', finishedAt: 333, pid: null });
        assert.deepEqual(await store.updateRun(run.id, {}), finished);
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

    describe('tokens', () => {
      const hashA = 'a1'.repeat(32);
      const hashB = 'b2'.repeat(32);

      test('createToken stores the hash only; findTokenByHash, listTokens, touchToken read it back', async () => {
        const clock = fakeClock(1_700_000_000_000);
        const { store, location } = await backend.fresh(clock);
        const ci = await store.createToken({ name: 'ci', role: 'deployer', hash: hashA, createdBy: 'alice' });
        assert.deepEqual(ci, {
          id: ci.id,
          name: 'ci',
          role: 'deployer',
          createdAt: 1_700_000_000_000,
          createdBy: 'alice',
          lastUsedAt: null,
          revokedAt: null,
        });
        assert.ok(!('hash' in ci), 'the hash never leaves the store');
        assert.deepEqual(await store.findTokenByHash(hashA), ci);
        assert.equal(await store.findTokenByHash(hashB), undefined);
        clock.advance(7);
        await store.touchToken(ci.id);
        assert.equal((await store.findTokenByHash(hashA))?.lastUsedAt, 1_700_000_000_007);
        const admin = await store.createToken({
          name: 'root',
          role: 'admin',
          hash: hashB,
          createdBy: 'alice',
        });
        assert.deepEqual(
          (await store.listTokens()).map((t) => [t.name, t.role]),
          [
            ['ci', 'deployer'],
            ['root', 'admin'],
          ],
        );
        assert.ok(admin.id > ci.id);
        const rows = await rawQuery(location, 'SELECT name, hash FROM tokens ORDER BY id');
        assert.deepEqual(
          rows.map((row) => row.hash),
          [hashA, hashB],
        );
      });

      test('names are unique, bad input is rejected, revoked tokens are not found', async () => {
        const clock = fakeClock(1000);
        const { store } = await backend.fresh(clock);
        await store.createToken({ name: 'ci', role: 'viewer', hash: hashA, createdBy: 'a' });
        await rejectsWith(
          store.createToken({ name: 'ci', role: 'viewer', hash: hashB, createdBy: 'a' }),
          'INVALID_INPUT',
        );
        await rejectsWith(
          store.createToken({ name: 'x', role: 'root' as never, hash: hashB, createdBy: 'a' }),
          'INVALID_INPUT',
        );
        await rejectsWith(
          store.createToken({ name: 'x', role: 'viewer', hash: 'slw_plaintext', createdBy: 'a' }),
          'INVALID_INPUT',
        );
        await rejectsWith(
          store.createToken({ name: ' ', role: 'viewer', hash: hashB, createdBy: 'a' }),
          'INVALID_INPUT',
        );
        clock.advance(5);
        const revoked = await store.revokeToken('ci');
        assert.equal(revoked.revokedAt, 1005);
        assert.equal(await store.findTokenByHash(hashA), undefined);
        await rejectsWith(store.revokeToken('ci'), 'NOT_FOUND');
        await rejectsWith(store.revokeToken('nobody'), 'NOT_FOUND');
        assert.deepEqual(
          (await store.listTokens()).map((t) => t.revokedAt),
          [1005],
        );
        await rejectsWith(
          store.createToken({ name: 'ci', role: 'viewer', hash: hashB, createdBy: 'a' }),
          'INVALID_INPUT',
        );
      });
    });

    describe('webhook deliveries', () => {
      test('recordWebhookDelivery is true the first time and false for the same id again', async () => {
        const clock = fakeClock(1_700_000_000_000);
        const { store, location } = await backend.fresh(clock);
        assert.equal(await store.recordWebhookDelivery({ deliveryId: 'd-1', event: 'push' }), true);
        assert.equal(await store.recordWebhookDelivery({ deliveryId: 'd-1', event: 'push' }), false);
        assert.equal(await store.recordWebhookDelivery({ deliveryId: 'd-1', event: 'ping' }), false);
        assert.equal(await store.recordWebhookDelivery({ deliveryId: 'd-2', event: 'ping' }), true);
        const rows = await rawQuery(
          location,
          'SELECT delivery_id, event, received_at FROM webhook_deliveries ORDER BY id',
        );
        assert.deepEqual(
          rows.map((row) => [row.delivery_id, row.event, Number(row.received_at)]),
          [
            ['d-1', 'push', 1_700_000_000_000],
            ['d-2', 'ping', 1_700_000_000_000],
          ],
        );
      });

      test('concurrent records of one id: exactly one wins; empty ids and events are rejected', async () => {
        const { store } = await backend.fresh();
        const results = await Promise.all(
          Array.from({ length: 5 }, () => store.recordWebhookDelivery({ deliveryId: 'same', event: 'push' })),
        );
        assert.equal(results.filter(Boolean).length, 1);
        await rejectsWith(store.recordWebhookDelivery({ deliveryId: ' ', event: 'push' }), 'INVALID_INPUT');
        await rejectsWith(store.recordWebhookDelivery({ deliveryId: 'x', event: '' }), 'INVALID_INPUT');
      });
    });

    describe('projects', () => {
      test('createProject, listProjects in name order, removeProject; names are unique and checked', async () => {
        const clock = fakeClock(1_700_000_000_000);
        const { store, location } = await backend.fresh(clock);
        const api = await store.createProject({
          name: 'api',
          repo: 'https://github.com/acme/api.git',
          branch: 'main',
          createdBy: 'admin',
        });
        assert.deepEqual(api, {
          id: api.id,
          name: 'api',
          repo: 'https://github.com/acme/api.git',
          branch: 'main',
          createdAt: 1_700_000_000_000,
          createdBy: 'admin',
        });
        await store.createProject({ name: 'Web-2', repo: '/srv/git/web', branch: 'trunk', createdBy: 'a' });
        assert.deepEqual(
          (await store.listProjects()).map((p) => [p.name, p.branch]),
          [
            ['Web-2', 'trunk'],
            ['api', 'main'],
          ],
        );
        await rejectsWith(
          store.createProject({ name: 'api', repo: '/x', branch: 'main', createdBy: 'a' }),
          'INVALID_INPUT',
        );
        await rejectsWith(
          store.createProject({ name: '../etc', repo: '/x', branch: 'main', createdBy: 'a' }),
          'INVALID_INPUT',
        );
        await rejectsWith(
          store.createProject({ name: 'ok', repo: ' ', branch: 'main', createdBy: 'a' }),
          'INVALID_INPUT',
        );
        assert.equal((await store.removeProject('api')).repo, 'https://github.com/acme/api.git');
        await rejectsWith(store.removeProject('api'), 'NOT_FOUND');
        const rows = await rawQuery(location, 'SELECT name FROM projects');
        assert.deepEqual(
          rows.map((row) => row.name),
          ['Web-2'],
        );
      });
    });

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
