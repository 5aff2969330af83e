// Translates better-sqlite3 and pg errors into StoreErrors so callers never branch on driver codes.
import { StoreError } from './errors.js';

function driverCode(error: unknown): unknown {
  return typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
}

/** True for a foreign key violation on either backend (SQLite extended code, PostgreSQL SQLSTATE 23503). */
export function isForeignKeyViolation(error: unknown): boolean {
  const code = driverCode(error);
  return code === 'SQLITE_CONSTRAINT_FOREIGNKEY' || code === '23503';
}

/** True for a unique constraint violation on either backend (SQLite extended code, PostgreSQL SQLSTATE 23505). */
export function isUniqueViolation(error: unknown): boolean {
  const code = driverCode(error);
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === '23505';
}

/** Wraps an unexpected driver error as StoreError DB_ERROR; StoreErrors pass through unchanged. */
export function toStoreError(operation: string, error: unknown): StoreError {
  if (error instanceof StoreError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new StoreError('DB_ERROR', `${operation} failed: ${message}`, { cause: error });
}
