// Typed errors of the job cache: every failure leaving src/pipeline/cache/ is a CacheError.
import { type KindTable, SlipwayError } from '../../errors/slipway-error.js';

/** Stable machine-readable reasons a cache operation can fail. */
export type CacheErrorCode = 'CACHE_PATH_OUTSIDE' | 'CACHE_PATH_INVALID' | 'CACHE_IO';

// Cache paths come from the config; reading and writing the cache is work that can fail.
const KINDS: KindTable<CacheErrorCode> = {
  CACHE_PATH_OUTSIDE: 'invalid',
  CACHE_PATH_INVALID: 'invalid',
  CACHE_IO: 'failed',
};

/** Error thrown by the cache store; `code` is stable, `cause` keeps the file-system error. */
export class CacheError extends SlipwayError<CacheErrorCode> {
  override readonly name = 'CacheError';
  constructor(code: CacheErrorCode, message: string, options?: { readonly cause?: unknown }) {
    super(code, KINDS[code], message, options);
  }
}

/** Wraps an unexpected failure as CACHE_IO, passing CacheErrors through unchanged. */
export function toCacheError(error: unknown, message: string): CacheError {
  return error instanceof CacheError ? error : new CacheError('CACHE_IO', message, { cause: error });
}
