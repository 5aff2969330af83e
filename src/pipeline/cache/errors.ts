// Typed errors of the job cache: every failure leaving src/pipeline/cache/ is a CacheError.

/** Stable machine-readable reasons a cache operation can fail. */
export type CacheErrorCode = 'CACHE_PATH_OUTSIDE' | 'CACHE_PATH_INVALID' | 'CACHE_IO';

/** Error thrown by the cache store; `code` is stable, `cause` keeps the file-system error. */
export class CacheError extends Error {
  override readonly name = 'CacheError';
  /** Stable reason, safe to branch on. */
  readonly code: CacheErrorCode;

  constructor(code: CacheErrorCode, message: string, options?: { readonly cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** Wraps an unexpected failure as CACHE_IO, passing CacheErrors through unchanged. */
export function toCacheError(error: unknown, message: string): CacheError {
  return error instanceof CacheError ? error : new CacheError('CACHE_IO', message, { cause: error });
}
