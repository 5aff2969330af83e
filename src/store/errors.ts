// Typed errors of the state store: every failure leaving src/store/ is a StoreError with a stable code.
import { type KindTable, SlipwayError } from '../errors/slipway-error.js';

/** Stable machine-readable reasons a store operation can fail. */
export type StoreErrorCode =
  | 'BAD_DATABASE_URL'
  | 'BAD_SCHEMA_NAME'
  | 'OPEN_FAILED'
  | 'MIGRATION_FAILED'
  | 'EVENT_INVALID'
  | 'INVALID_INPUT'
  | 'NOT_FOUND'
  | 'APPROVAL_DECIDED'
  | 'APPROVAL_VOTED'
  | 'ROLLOUT_ACTIVE'
  | 'DB_ERROR';

// A database that cannot be opened is one Slipway depends on and cannot reach; a migration or a
// query failing underneath is the work failing (the driver's reason is in the message).
const KINDS: KindTable<StoreErrorCode> = {
  BAD_DATABASE_URL: 'usage',
  BAD_SCHEMA_NAME: 'usage',
  OPEN_FAILED: 'unavailable',
  MIGRATION_FAILED: 'failed',
  EVENT_INVALID: 'usage',
  INVALID_INPUT: 'usage',
  NOT_FOUND: 'not_found',
  APPROVAL_DECIDED: 'conflict',
  APPROVAL_VOTED: 'conflict',
  ROLLOUT_ACTIVE: 'conflict',
  DB_ERROR: 'failed',
};

/** Error thrown by every store operation; `code` is stable, `cause` keeps the driver error. */
export class StoreError extends SlipwayError<StoreErrorCode> {
  override readonly name = 'StoreError';
  constructor(code: StoreErrorCode, message: string, options?: { readonly cause?: unknown }) {
    super(code, KINDS[code], message, options);
  }
}

/** True when `error` is a StoreError, optionally with the given code. */
export function isStoreError(error: unknown, code?: StoreErrorCode): error is StoreError {
  return error instanceof StoreError && (code === undefined || error.code === code);
}
