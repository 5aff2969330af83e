/**
 * The contract every database engine keeps: a consistent snapshot into one file with each table's
 * row count at that moment, the row counts now, and a restore that either replaces the whole
 * database with the snapshot or leaves it exactly as it was.
 */
import type { DatabaseKind } from './database-target.js';

/** Row counts per table, keyed `schema.table` (PostgreSQL) or `table` (MariaDB, SQLite). */
export type RowCounts = Readonly<Record<string, number>>;

/** What a snapshot wrote. */
export interface SnapshotResult {
  /** The snapshot file's size and SHA-256. */
  readonly bytes: number;
  readonly sha256: string;
  /** Each table's row count, read in the same transaction as the dump where the engine allows. */
  readonly tables: RowCounts;
  /** The dump's format, e.g. `pg_dump -Fc`. */
  readonly format: string;
}

/** One database, snapshotted and restored by its engine's own tools. */
export interface DatabaseEngine {
  readonly kind: DatabaseKind;
  /** Writes a consistent snapshot of the whole database to `file`. */
  snapshot(file: string): Promise<SnapshotResult>;
  /** Each table's row count now. */
  rowCounts(): Promise<RowCounts>;
  /**
   * Replaces the database with the snapshot in `file`, checked against `sha256` first. The snapshot
   * is loaded beside the database and swapped in at the end: a restore that fails leaves the
   * database as it was, and says why.
   */
  restore(file: string, sha256: string): Promise<void>;
}
