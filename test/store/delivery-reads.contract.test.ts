// Store contract suite, the delivery figures' reads: written once, run against SQLite and PostgreSQL.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { NewEvent } from '../../src/store/store.js';
import { createBackends } from './helpers/backends.js';

const deploy = (time: number, environment: string, service = 'web'): NewEvent => ({
  type: 'service.upgraded',
  actor: 'ci',
  time,
  service,
  environment,
  data: { deploy: { result: 'completed', startedAt: time - 10, changes: [], traffic: null } },
});
const run = (time: number, data: Record<string, unknown>): NewEvent => ({
  type: 'pipelinerun.finished',
  actor: 'ci',
  time,
  data,
});

for (const backend of createBackends()) {
  describe(`store contract: ${backend.name}`, { concurrency: true }, () => {
    after(() => backend.cleanup());

    describe('delivery reads', () => {
      test('listDeliveryEvents: the types of a window in an environment and its regions, by id, narrowed', async () => {
        const { store } = await backend.fresh();
        await store.appendEvents([
          deploy(100, 'production'),
          deploy(110, 'production@eu-west'),
          deploy(120, 'productionx'),
          deploy(130, 'prod_ction@eu'), // `_` is no wildcard
          deploy(140, 'staging'),
          deploy(150, 'production', 'api'),
          deploy(300, 'production'), // after the window
          { type: 'rollout.started', actor: 'ci', time: 160, service: 'web', environment: 'production' },
        ]);
        await store.appendEvent(deploy(90, 'production')); // older than the window, id after the rest
        const all = await store.listDeliveryEvents({
          types: ['service.upgraded'],
          environment: 'production',
          since: 95,
          until: 300,
        });
        assert.deepEqual(
          all.map((e) => [e.time, e.service, e.environment]),
          [
            [100, 'web', 'production'],
            [110, 'web', 'production@eu-west'],
            [150, 'api', 'production'],
          ],
        );
        assert.deepEqual(Object.keys(all[0]!).sort(), [
          'data',
          'environment',
          'id',
          'service',
          'time',
          'type',
        ]);
        assert.equal((all[0]!.data.deploy as { result: string }).result, 'completed');
        const web = await store.listDeliveryEvents({
          types: ['service.upgraded'],
          environment: 'production',
          service: 'web',
          since: 0,
          until: 1000,
        });
        assert.deepEqual(
          web.map((e) => e.time),
          [100, 110, 300, 90],
          'ascending by id, not by time',
        );
      });

      test('listPipelineDurations: finished runs of a window in time order, without cancelled or malformed ones', async () => {
        const { store } = await backend.fresh();
        await store.appendEvents([
          { type: 'taskrun.finished', actor: 'ci', time: 99, data: { durationMs: 1 } },
          run(100, { status: 'success', durationMs: 60_000, pipeline: 'shop' }),
          run(105, { status: 'cancelled', durationMs: 5, pipeline: 'shop' }),
          run(106, { status: 'failure', durationMs: 'slow', pipeline: 'shop' }),
          run(107, { durationMs: 7 }),
        ]);
        await store.appendEvent(run(102, { status: 'failure', durationMs: 1500.5, pipeline: 'api' }));
        await store.appendEvent(run(500, { status: 'success', durationMs: 1, pipeline: 'api' }));
        assert.deepEqual(await store.listPipelineDurations({ since: 0, until: 500 }), [
          { time: 100, durationMs: 60_000, status: 'success', pipeline: 'shop' },
          { time: 102, durationMs: 1500.5, status: 'failure', pipeline: 'api' },
        ]);
        assert.deepEqual(await store.listPipelineDurations({ since: 0, until: 501, pipeline: 'api' }), [
          { time: 102, durationMs: 1500.5, status: 'failure', pipeline: 'api' },
          { time: 500, durationMs: 1, status: 'success', pipeline: 'api' },
        ]);
      });

      test('a finished run and its duration are written together, or neither', async () => {
        const { store } = await backend.fresh();
        await assert.rejects(
          store.appendEvents([
            run(100, { status: 'success', durationMs: 1 }),
            { type: 'nope' as never, actor: 'ci' },
          ]),
        );
        await assert.rejects(
          store.transaction(async (tx) => {
            await tx.appendEvent(run(100, { status: 'success', durationMs: 1 }));
            throw new Error('rolled back');
          }),
        );
        assert.deepEqual(await store.listPipelineDurations({ since: 0, until: 1000 }), []);
        assert.deepEqual(await store.listEvents(), []);
      });
    });
  });
}
