/**
 * SQLite: a snapshot with SQLite's online backup API (a consistent copy while the application
 * writes), a restore that copies the snapshot beside the database, checks it, and renames it over
 * the database file in one atomic rename.
 */
import { existsSync } from 'node:fs';
import { copyFile, rename, rm } from 'node:fs/promises';
import Database from 'better-sqlite3';
import { sqliteAddonPath } from '../store/sqlite/sqlite-addon.js';
import type { DatabaseEngine, RowCounts, SnapshotResult } from './database-engine.js';
import type { SqliteTarget } from './database-target.js';
import { DatabaseError } from './errors.js';
import { fileDigest, verifyDigest } from './file-digest.js';

/** The engine of one SQLite database file. */
export class SqliteEngine implements DatabaseEngine {
  readonly kind = 'sqlite';
  constructor(private readonly target: SqliteTarget) {}

  async snapshot(file: string): Promise<SnapshotResult> {
    const db = this.open(this.target.path);
    try {
      await db.backup(file);
    } catch (error) {
      throw new DatabaseError(
        'SNAPSHOT_FAILED',
        `backup of ${this.target.path} failed: ${(error as Error).message}`,
      );
    } finally {
      db.close();
    }
    // The counts are read from the copy: exactly the state the snapshot holds.
    const copy = this.open(file);
    try {
      return { ...(await fileDigest(file)), tables: countRows(copy), format: 'sqlite backup' };
    } finally {
      copy.close();
    }
  }

  async rowCounts(): Promise<RowCounts> {
    const db = this.open(this.target.path);
    try {
      return countRows(db);
    } finally {
      db.close();
    }
  }

  async restore(file: string, sha256: string): Promise<void> {
    await verifyDigest(file, sha256);
    const path = this.target.path;
    const staging = `${path}.slipway-restore`;
    try {
      await copyFile(file, staging);
      const db = this.open(staging);
      try {
        const check = db.pragma('integrity_check', { simple: true });
        if (check !== 'ok') throw new Error(`integrity check: ${String(check)}`);
        db.pragma('journal_mode = DELETE');
      } finally {
        db.close();
      }
    } catch (error) {
      await rm(staging, { force: true });
      throw new DatabaseError(
        'RESTORE_FAILED',
        `the snapshot could not be prepared for ${path} (${(error as Error).message}); the database was not changed`,
      );
    }
    // Fold the live database's write-ahead log in first, so no stale -wal file applies to the new file.
    if (existsSync(path)) {
      const live = this.open(path);
      try {
        live.pragma('wal_checkpoint(TRUNCATE)');
      } finally {
        live.close();
      }
    }
    await rename(staging, path);
    await rm(`${path}-wal`, { force: true });
    await rm(`${path}-shm`, { force: true });
  }

  private open(path: string): Database.Database {
    const addon = sqliteAddonPath();
    try {
      return new Database(path, { fileMustExist: true, ...(addon ? { nativeBinding: addon } : {}) });
    } catch (error) {
      throw new DatabaseError(
        'DATABASE_UNREACHABLE',
        `cannot open SQLite database ${path}: ${(error as Error).message}`,
      );
    }
  }
}

function countRows(db: Database.Database): RowCounts {
  const tables = db
    .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .pluck()
    .all() as string[];
  const counts: Record<string, number> = {};
  for (const name of tables)
    counts[name] = Number(
      db
        .prepare(`SELECT count(*) FROM "${name.replaceAll('"', '""')}"`)
        .pluck()
        .get(),
    );
  return counts;
}
