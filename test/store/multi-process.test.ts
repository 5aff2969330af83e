// Two slipway processes on one store at once: first open of a fresh database, then concurrent appends.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { createMigrations, MIGRATION_TABLE } from '../../src/store/migrations.js';
import { sqliteStatePath } from '../../src/store/open-store.js';
import { createBackends, openAt, rawQuery, type StoreLocation } from './helpers/backends.js';
import { runInLockstep } from './helpers/spawn-children.js';

const PER_CHILD = 200;
const TAGS = ['left', 'right'];

function assertIncreasing(ids: readonly number[]): void {
  for (let i = 1; i < ids.length; i++) {
    assert.ok(ids[i]! > ids[i - 1]!, `ids not increasing at ${i}: ${ids[i - 1]}, ${ids[i]}`);
  }
}

for (const backend of createBackends()) {
  describe(`two processes: ${backend.name}`, () => {
    let projectDir: string | undefined;
    after(async () => {
      await backend.cleanup();
      if (projectDir !== undefined) await rm(projectDir, { recursive: true, force: true });
    });

    test('open a fresh database at the same moment, then each append events concurrently', async (t) => {
      let location: StoreLocation;
      if (backend.name === 'sqlite') {
        projectDir = await mkdtemp(join(tmpdir(), 'slipway-fresh-'));
        location = { backend: 'sqlite', file: sqliteStatePath(projectDir) };
      } else {
        location = await backend.location();
      }
      // Both children open (and so migrate) together, then append together: one spawn, two races.
      const results = await runInLockstep(
        TAGS.map((tag) => ({ location, count: PER_CHILD, tag, projectDir })),
      );

      await t.test('both processes succeed without a busy or lock error', () => {
        for (const result of results) {
          assert.equal(result.code, 0, `child failed:\n${result.stderr}`);
          assert.doesNotMatch(result.stderr, /SQLITE_BUSY|database is locked|deadlock/i);
        }
      });

      await t.test('each migration is recorded exactly once', async () => {
        const migrations = await rawQuery(location, `SELECT name FROM ${MIGRATION_TABLE} ORDER BY name`);
        assert.deepEqual(
          migrations.map((row) => row.name),
          Object.keys(createMigrations(location.backend)).sort(),
        );
        assert.ok(migrations.length >= 3);
      });

      await t.test(`all ${2 * PER_CHILD} events are present with unique increasing ids`, async () => {
        const reader = await openAt(location);
        try {
          const events = await reader.listEvents();
          assert.equal(events.length, 2 * PER_CHILD);
          const ids = events.map((event) => event.id);
          assertIncreasing(ids);
          assert.equal(new Set(ids).size, ids.length);
          for (const [index, tag] of TAGS.entries()) {
            const reported = results[index]!.ids;
            assert.equal(reported.length, PER_CHILD);
            assertIncreasing(reported);
            const mine = events.filter((event) => event.subject === tag);
            assert.deepEqual(
              mine.map((event) => event.id),
              reported,
            );
            assert.deepEqual(
              mine.map((event) => event.data.i),
              Array.from({ length: PER_CHILD }, (_, i) => i),
            );
          }
        } finally {
          await reader.close();
        }
      });
    });
  });
}
