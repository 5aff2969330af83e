// SQLite's quick migration paths (empty database, database already current) leave exactly what
// Kysely's Migrator leaves: the same schema text, the same records, the same errors.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect } from 'kysely';
import {
  createMigrations,
  MIGRATION_LOCK_TABLE,
  MIGRATION_TABLE,
  migrateToLatest,
} from '../../src/store/migrations.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { fakeClock } from './helpers/backends.js';

const dirs: string[] = [];
async function newFile(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'slipway-sqlite-migrate-'));
  dirs.push(dir);
  return join(dir, 'state.db');
}

/** Migrates `file` the way Slipway did before the quick paths: the Migrator inside BEGIN IMMEDIATE. */
async function migrateWithMigrator(file: string, only?: number): Promise<void> {
  const database = new BetterSqlite3(file);
  const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database }) });
  try {
    database.exec('BEGIN IMMEDIATE');
    if (only === undefined) {
      await migrateToLatest(db, 'sqlite');
    } else {
      const all = createMigrations('sqlite');
      const first = Object.fromEntries(
        Object.keys(all)
          .sort()
          .slice(0, only)
          .map((name) => [name, all[name]!]),
      );
      const migrator = new Migrator({
        db,
        provider: { getMigrations: async () => first },
        migrationTableName: MIGRATION_TABLE,
        migrationLockTableName: MIGRATION_LOCK_TABLE,
      });
      const { error } = await migrator.migrateToLatest();
      assert.equal(error, undefined);
    }
    database.exec('COMMIT');
  } finally {
    await db.destroy();
  }
}

async function openAndClose(file: string): Promise<void> {
  const store = await openSqliteStore({ file, clock: fakeClock() });
  await store.close();
}

/** Everything a migration leaves behind: schema objects with their SQL, and the bookkeeping rows. */
function snapshot(file: string) {
  const database = new BetterSqlite3(file, { readonly: true });
  try {
    return {
      schema: database.prepare('SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY rowid').all(),
      migrations: database.prepare(`SELECT name FROM ${MIGRATION_TABLE} ORDER BY rowid`).pluck().all(),
      locks: database.prepare(`SELECT * FROM ${MIGRATION_LOCK_TABLE}`).all(),
      userVersion: database.pragma('user_version', { simple: true }),
    };
  } finally {
    database.close();
  }
}

function migrationTimes(file: string): unknown[] {
  const database = new BetterSqlite3(file, { readonly: true });
  try {
    return database.prepare(`SELECT name, timestamp FROM ${MIGRATION_TABLE} ORDER BY name`).all();
  } finally {
    database.close();
  }
}

describe('sqlite migrations: quick paths', () => {
  after(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  test('an empty database ends identical to one the Migrator migrated', async () => {
    const quick = await newFile();
    const old = await newFile();
    await openAndClose(quick);
    await migrateWithMigrator(old);
    const expected = snapshot(old);
    assert.deepEqual(snapshot(quick), expected);
    assert.deepEqual(expected.migrations, Object.keys(createMigrations('sqlite')).sort());
    assert.deepEqual(expected.locks, [{ id: 'migration_lock', is_locked: 0 }]);
  });

  test('a database the Migrator migrated opens without changes, and the Migrator finds nothing to do after the quick path', async () => {
    const old = await newFile();
    await migrateWithMigrator(old);
    const before = snapshot(old);
    const times = migrationTimes(old);
    await openAndClose(old);
    assert.deepEqual(snapshot(old), before);
    assert.deepEqual(migrationTimes(old), times);

    const quick = await newFile();
    await openAndClose(quick);
    const quickTimes = migrationTimes(quick);
    await migrateWithMigrator(quick);
    assert.deepEqual(migrationTimes(quick), quickTimes, 'the Migrator applied nothing again');
  });

  test('an older schema gets the missing migrations and ends like a fresh one', async () => {
    const partial = await newFile();
    await migrateWithMigrator(partial, 3);
    await openAndClose(partial);
    const fresh = await newFile();
    await migrateWithMigrator(fresh);
    // ALTER TABLE appends columns the same way, so even the text of every object matches.
    const byName = (s: ReturnType<typeof snapshot>) =>
      [...(s.schema as { name: string }[])].sort((a, b) => a.name.localeCompare(b.name));
    assert.deepEqual(byName(snapshot(partial)), byName(snapshot(fresh)));
    assert.deepEqual(snapshot(partial).migrations, snapshot(fresh).migrations);
  });

  test('a record of an unknown migration still fails the open as corrupted', async () => {
    const file = await newFile();
    await migrateWithMigrator(file);
    const database = new BetterSqlite3(file);
    database
      .prepare(`INSERT INTO ${MIGRATION_TABLE} (name, timestamp) VALUES (?, ?)`)
      .run('9999_from_the_future', new Date().toISOString());
    database.close();
    await assert.rejects(openAndClose(file), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'MIGRATION_FAILED');
      assert.match(error.message, /corrupted migrations/);
      return true;
    });
  });

  test('a database holding other tables is left to the Migrator', async () => {
    const file = await newFile();
    const database = new BetterSqlite3(file);
    database.exec('CREATE TABLE notes (text TEXT)');
    database.close();
    await openAndClose(file);
    const { schema, migrations } = snapshot(file);
    assert.ok((schema as { name: string }[]).some((row) => row.name === 'notes'));
    assert.deepEqual(migrations, Object.keys(createMigrations('sqlite')).sort());
  });
});
