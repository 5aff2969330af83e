/** Typed errors of database snapshots and data rollback. */
import { type KindTable, SlipwayError } from '../errors/slipway-error.js';

/** Why a snapshot or a restore cannot be done. */
export type DatabaseErrorCode =
  | 'DATABASE_URL_INVALID'
  | 'DATABASE_TOOL_MISSING'
  | 'DATABASE_UNREACHABLE'
  | 'SNAPSHOT_FAILED'
  | 'SNAPSHOT_NOT_FOUND'
  | 'SNAPSHOT_CORRUPT'
  | 'RESTORE_FAILED'
  | 'RESTORE_UNSUPPORTED';

const KINDS: KindTable<DatabaseErrorCode> = {
  DATABASE_URL_INVALID: 'invalid',
  DATABASE_TOOL_MISSING: 'unavailable',
  DATABASE_UNREACHABLE: 'unavailable',
  SNAPSHOT_FAILED: 'failed',
  SNAPSHOT_NOT_FOUND: 'not_found',
  SNAPSHOT_CORRUPT: 'failed',
  RESTORE_FAILED: 'failed',
  RESTORE_UNSUPPORTED: 'conflict',
};

/** A snapshot or restore that cannot be done. */
export class DatabaseError extends SlipwayError<DatabaseErrorCode> {
  override readonly name = 'DatabaseError';
  constructor(code: DatabaseErrorCode, message: string, options?: { readonly cause?: unknown }) {
    super(code, KINDS[code], message, options);
  }
}
