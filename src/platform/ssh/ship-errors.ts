/** Typed errors of shipping a revision to hosts; every error about a host names it. */
import { type KindTable, SlipwayError } from '../../errors/slipway-error.js';

/** Why a revision could not be listed or shipped. */
export type ShipErrorCode =
  | 'SHIP_BAD_SOURCE'
  | 'SHIP_TOOLS_MISSING'
  | 'SHIP_BLOB_CORRUPT'
  | 'SHIP_DIGEST_MISMATCH'
  | 'SHIP_HOST_WRITE_FAILED'
  | 'SHIP_PROTOCOL';

const KINDS: KindTable<ShipErrorCode> = {
  SHIP_BAD_SOURCE: 'invalid',
  SHIP_TOOLS_MISSING: 'unavailable',
  SHIP_BLOB_CORRUPT: 'failed',
  SHIP_DIGEST_MISMATCH: 'failed',
  SHIP_HOST_WRITE_FAILED: 'failed',
  SHIP_PROTOCOL: 'internal',
};

/** A revision that cannot be listed (`host` undefined), or that a host refused or could not store. */
export class ShipError extends SlipwayError<ShipErrorCode> {
  override readonly name = 'ShipError';
  /** The target's `name`, or undefined for a problem of the local source folder. */
  readonly host: string | undefined;
  /** Relative paths of the revision the error is about (a corrupt blob's files, a mismatching file). */
  readonly paths: readonly string[];

  constructor(
    code: ShipErrorCode,
    host: string | undefined,
    message: string,
    options?: { readonly cause?: unknown; readonly paths?: readonly string[] | undefined },
  ) {
    super(code, KINDS[code], message, options);
    this.host = host;
    this.paths = options?.paths ?? [];
  }
}
