/**
 * Brings an SQLite store's schema up to date, doing the least work in the two common cases: a
 * database already at the latest migration is checked with three small queries, and an empty one
 * gets every migration without the migrator's introspection. Anything else (an older schema that
 * needs some migrations, a damaged record) goes through Kysely's Migrator as before. The caller
 * holds BEGIN IMMEDIATE around it.
 */
import type BetterSqlite3 from 'better-sqlite3';
import { type Kysely, MIGRATION_LOCK_ID } from 'kysely';
import {
  createMigrations,
  MIGRATION_LOCK_TABLE,
  MIGRATION_TABLE,
  migrateToLatest,
  migrationFailed,
} from '../migrations.js';

type SchemaState = 'empty' | 'current' | 'other';

interface AppliedMigration {
  readonly name: string;
  readonly timestamp: string;
}

/** Applies the pending migrations of the SQLite database behind `database` (and `db`, the same connection). */
export async function migrateSqlite(database: BetterSqlite3.Database, db: Kysely<unknown>): Promise<void> {
  const migrations = createMigrations('sqlite');
  const names = Object.keys(migrations).sort();
  const state = schemaState(database, names);
  if (state === 'current') return;
  if (state === 'other') {
    await migrateToLatest(db, 'sqlite');
    return;
  }
  // What the Migrator does on an empty database, in its order, with the same statements: a
  // database made here has the same schema and records as one it migrated (test/store checks).
  try {
    await db.schema
      .createTable(MIGRATION_TABLE)
      .ifNotExists()
      .addColumn('name', 'varchar(255)', (col) => col.notNull().primaryKey())
      .addColumn('timestamp', 'varchar(255)', (col) => col.notNull())
      .execute();
    await db.schema
      .createTable(MIGRATION_LOCK_TABLE)
      .ifNotExists()
      .addColumn('id', 'varchar(255)', (col) => col.notNull().primaryKey())
      .addColumn('is_locked', 'integer', (col) => col.notNull().defaultTo(0))
      .execute();
    database
      .prepare(`INSERT INTO "${MIGRATION_LOCK_TABLE}" ("id", "is_locked") VALUES (?, 0)`)
      .run(MIGRATION_LOCK_ID);
  } catch (error) {
    throw migrationFailed(undefined, error);
  }
  const record = database.prepare(`INSERT INTO "${MIGRATION_TABLE}" ("name", "timestamp") VALUES (?, ?)`);
  for (const name of names) {
    try {
      await migrations[name]!.up(db);
      record.run(name, new Date().toISOString());
    } catch (error) {
      throw migrationFailed(name, error);
    }
  }
}

/** Whether the database is empty, has exactly the migrations `names` applied (in order), or anything else. */
function schemaState(database: BetterSqlite3.Database, names: readonly string[]): SchemaState {
  const objects = database.prepare('SELECT count(*) FROM sqlite_master').pluck().get() as number;
  if (objects === 0) return 'empty';
  const tables = database
    .prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name IN (?, ?)`)
    .pluck()
    .all(MIGRATION_TABLE, MIGRATION_LOCK_TABLE);
  if (tables.length !== 2) return 'other';
  const lockRow = database
    .prepare(`SELECT 1 FROM "${MIGRATION_LOCK_TABLE}" WHERE "id" = ?`)
    .get(MIGRATION_LOCK_ID);
  if (lockRow === undefined) return 'other';
  const applied = (
    database.prepare(`SELECT "name", "timestamp" FROM "${MIGRATION_TABLE}"`).all() as AppliedMigration[]
  ).sort(inMigratorOrder);
  const current = applied.length === names.length && applied.every((row, i) => row.name === names[i]);
  return current ? 'current' : 'other';
}

// The Migrator's order of applied migrations: by time, then by name. It compares names with
// localeCompare, whose first call costs milliseconds (ICU); our names start with distinct
// zero-padded numbers, which both comparisons order alike.
function inMigratorOrder(a: AppliedMigration, b: AppliedMigration): number {
  if (a.timestamp === b.timestamp) return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
  return new Date(a.timestamp).getTime() - new Date(b.timestamp).getTime();
}
