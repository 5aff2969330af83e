// Store contract suite, event log: written once, run unchanged against SQLite and PostgreSQL.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { NewEvent } from '../../src/store/store.js';
import { createBackends, fakeClock, rawQuery } from './helpers/backends.js';
import { rejectsWith, SHA } from './helpers/contract.js';

for (const backend of createBackends()) {
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
        assert.deepEqual(eventMethods, ['appendEvent', 'appendEvents', 'listDeliveryEvents', 'listEvents']);
      });
    });
  });
}
