// Opens the embedded SQLite store: WAL, busy timeout, and migrations guarded by BEGIN IMMEDIATE.
import { closeSync, openSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely } from 'kysely';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE, tightenSync } from '../../state-files/private-modes.js';
import { StoreError } from '../errors.js';
import { createKyselyStore } from '../kysely-store.js';
import type { Database } from '../schema.js';
import type { Clock, Store } from '../store.js';
import { sqliteAddonPath } from './sqlite-addon.js';
import { ImmediateSqliteDialect, withStatementCache } from './sqlite-dialect.js';
import { migrateSqlite } from './sqlite-migrate.js';
import { sqliteRunProgress } from './sqlite-run-progress.js';

/** How long a statement waits for another process's write lock before failing with SQLITE_BUSY. */
const DEFAULT_BUSY_TIMEOUT_MS = 5000;

/** Options of openSqliteStore. */
export interface SqliteStoreOptions {
  /** Database file; its folder is created if missing. */
  readonly file: string;
  readonly clock: Clock;
  readonly busyTimeoutMs?: number;
}

/** Extra tries for the steps that take the write lock on open, each already waiting busy_timeout. */
const OPEN_LOCK_ATTEMPTS = 3;

/** Runs `step`, retrying on SQLITE_BUSY: on a loaded machine another process's migration can outlast one busy_timeout. */
function retryWhileBusy(step: () => void): void {
  for (let attempt = 1; ; attempt++) {
    try {
      step();
      return;
    } catch (error) {
      const busy = (error as { code?: unknown }).code === 'SQLITE_BUSY';
      if (!busy || attempt >= OPEN_LOCK_ATTEMPTS) throw error;
    }
  }
}

/**
 * Applies migrations inside one BEGIN IMMEDIATE transaction on the raw handle: a second process
 * opening the same fresh file waits for the lock, then finds everything applied. SQLite DDL is
 * transactional, so a failed migration leaves nothing behind.
 */
async function migrateExclusively(database: BetterSqlite3.Database, db: Kysely<Database>): Promise<void> {
  retryWhileBusy(() => database.exec('BEGIN IMMEDIATE'));
  try {
    await migrateSqlite(database, db as Kysely<unknown>);
    database.exec('COMMIT');
  } catch (error) {
    if (database.inTransaction) database.exec('ROLLBACK');
    throw error;
  }
}

/** SQLite's journal files, which it creates with the mode of the database file. */
const COMPANION_SUFFIXES = ['-wal', '-shm', '-journal'] as const;

/**
 * The database holds logs and approvals: its folder and files are the owner's alone. SQLite takes
 * no mode and creates the file 0644 (less the umask), so it is made here first; the -wal and -shm
 * files it adds later copy the database's mode. Folders and files an older Slipway left are tightened.
 */
function makePrivate(file: string): void {
  tightenSync(dirname(file), PRIVATE_DIR_MODE);
  closeSync(openSync(file, 'a', PRIVATE_FILE_MODE));
  for (const path of [file, ...COMPANION_SUFFIXES.map((suffix) => `${file}${suffix}`)])
    tightenSync(path, PRIVATE_FILE_MODE);
}

/** Opens (and migrates) the SQLite store at `options.file`. */
export async function openSqliteStore(options: SqliteStoreOptions): Promise<Store> {
  const busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
  let database: BetterSqlite3.Database;
  try {
    await mkdir(dirname(options.file), { recursive: true, mode: PRIVATE_DIR_MODE });
    makePrivate(options.file);
    const nativeBinding = sqliteAddonPath();
    database = new BetterSqlite3(options.file, {
      timeout: busyTimeoutMs,
      ...(nativeBinding === undefined ? {} : { nativeBinding }),
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new StoreError('OPEN_FAILED', `cannot open the state database ${options.file}: ${reason}`, {
      cause: error,
    });
  }
  const db = new Kysely<Database>({
    dialect: new ImmediateSqliteDialect({ database: withStatementCache(database) }),
  });
  try {
    database.pragma(`busy_timeout = ${busyTimeoutMs}`);
    retryWhileBusy(() => database.pragma('journal_mode = WAL'));
    // NORMAL is durable across application crashes in WAL mode; only an OS crash can lose the last commits.
    database.pragma('synchronous = NORMAL');
    database.pragma('foreign_keys = ON');
    await migrateExclusively(database, db);
  } catch (error) {
    await db.destroy();
    if (database.open) database.close();
    if (error instanceof StoreError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new StoreError('OPEN_FAILED', `opening the state database ${options.file} failed: ${reason}`, {
      cause: error,
    });
  }
  return createKyselyStore(db, {
    backend: 'sqlite',
    clock: options.clock,
    fastRunProgress: sqliteRunProgress(database),
  });
}
