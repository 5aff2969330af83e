// Migrations on every backend: applied on open, recorded once, and a no-op when the store is opened again.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { createMigrations, MIGRATION_TABLE } from '../../src/store/migrations.js';
import { createBackends, openAt, rawQuery } from './helpers/backends.js';

test('both backends define the same migrations, in name order', () => {
  const sqlite = Object.keys(createMigrations('sqlite'));
  const postgres = Object.keys(createMigrations('postgres'));
  assert.deepEqual(sqlite, postgres);
  assert.deepEqual(sqlite, [...sqlite].sort());
  assert.ok(sqlite.length >= 2);
});

for (const backend of createBackends()) {
  describe(`migrations: ${backend.name}`, () => {
    after(() => backend.cleanup());

    test('opening an existing store again applies nothing and keeps the data', async () => {
      const { store, location } = await backend.fresh();
      const run = await store.createRun({ pipeline: 'shop', actor: 'a', trigger: 'push' });
      const event = await store.appendEvent({ type: 'pipelinerun.queued', actor: 'a', runId: run.id });
      const applied = await rawQuery(
        location,
        `SELECT name, timestamp FROM ${MIGRATION_TABLE} ORDER BY name`,
      );
      assert.deepEqual(
        applied.map((row) => row.name),
        Object.keys(createMigrations(backend.name)),
      );

      for (let i = 0; i < 2; i++) {
        const again = await openAt(location);
        try {
          assert.deepEqual(await again.getRun(run.id), run);
          assert.deepEqual(await again.listEvents({ limit: 1 }), [event]);
          const next = await again.appendEvent({ type: 'pipelinerun.started', actor: 'a' });
          assert.ok(next.id > event.id);
        } finally {
          await again.close();
        }
      }
      assert.deepEqual(
        await rawQuery(location, `SELECT name, timestamp FROM ${MIGRATION_TABLE} ORDER BY name`),
        applied,
        'no migration re-ran',
      );
    });

    test('the append-only triggers survive a reopen', async () => {
      const { store, location } = await backend.fresh();
      await store.appendEvent({ type: 'release.published', actor: 'a' });
      const again = await openAt(location);
      await again.close();
      await assert.rejects(rawQuery(location, 'DELETE FROM events'), /append-only/);
      assert.equal((await store.listEvents()).length, 1);
    });
  });
}
