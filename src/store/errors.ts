// Typed errors of the state store: every failure leaving src/store/ is a StoreError with a stable code.

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
  | 'ROLLOUT_ACTIVE'
  | 'DB_ERROR';

/** Error thrown by every store operation; `code` is stable, `cause` keeps the driver error. */
export class StoreError extends Error {
  override readonly name = 'StoreError';
  /** Stable reason, safe to branch on. */
  readonly code: StoreErrorCode;

  constructor(code: StoreErrorCode, message: string, options?: { readonly cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** True when `error` is a StoreError, optionally with the given code. */
export function isStoreError(error: unknown, code?: StoreErrorCode): error is StoreError {
  return error instanceof StoreError && (code === undefined || error.code === code);
}
