// Store contract suite, database snapshots: written once, run unchanged against SQLite and PostgreSQL.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { NewSnapshot } from '../../src/store/stored-snapshots.js';
import { createBackends, fakeClock } from './helpers/backends.js';

const snapshot = (over: Partial<NewSnapshot> = {}): NewSnapshot => ({
  environment: 'production',
  database: 'main',
  engine: 'postgres',
  service: 'api',
  revision: 'r-000000000002',
  stableRevision: 'r-000000000001',
  reason: 'before-migrations',
  file: '/srv/app/.slipway/snapshots/production/main/1.dump',
  format: 'pg_dump -Fc',
  bytes: 4096,
  sha256: 'a'.repeat(64),
  tables: { 'public.accounts': 3, 'public.orders': 12 },
  createdBy: 'alice',
  ...over,
});

for (const backend of createBackends()) {
  describe(`store contract: ${backend.name}`, { concurrency: true }, () => {
    after(() => backend.cleanup());

    describe('database snapshots', () => {
      test('a snapshot is recorded with its file, checksum and row counts, and read back', async () => {
        const clock = fakeClock(1_000_000);
        const { store } = await backend.fresh(clock);
        const recorded = await store.recordSnapshot(snapshot());
        assert.deepEqual(recorded, {
          id: recorded.id,
          ...snapshot(),
          createdAt: 1_000_000,
          prunedAt: null,
          restoredAt: null,
        });
        assert.deepEqual(await store.getSnapshot(recorded.id), recorded);
        assert.equal(await store.getSnapshot(recorded.id + 100), undefined);
      });

      test('snapshots list newest first by environment and database; pruned ones only when asked', async () => {
        const clock = fakeClock(2_000_000);
        const { store } = await backend.fresh(clock);
        const first = await store.recordSnapshot(snapshot());
        clock.advance(1000);
        const second = await store.recordSnapshot(snapshot({ revision: 'r-000000000003' }));
        clock.advance(1000);
        await store.recordSnapshot(snapshot({ database: 'audit', engine: 'mariadb' }));
        clock.advance(1000);
        await store.recordSnapshot(snapshot({ environment: 'staging' }));
        const main = await store.listSnapshots({ environment: 'production', database: 'main' });
        assert.deepEqual(
          main.map((s) => s.id),
          [second.id, first.id],
        );
        assert.equal((await store.listSnapshots()).length, 4);
        await store.markSnapshotPruned(first.id);
        clock.advance(1000);
        await store.markSnapshotRestored(second.id);
        assert.deepEqual(
          (await store.listSnapshots({ environment: 'production', database: 'main' })).map((s) => s.id),
          [second.id],
        );
        const all = await store.listSnapshots({
          environment: 'production',
          database: 'main',
          includePruned: true,
        });
        assert.deepEqual(
          all.map((s) => [s.id, s.prunedAt, s.restoredAt]),
          [
            [second.id, null, 2_004_000],
            [first.id, 2_003_000, null],
          ],
        );
      });
    });
  });
}
