/** Typed errors of the scanners: advisory databases, lockfiles and installed trees that cannot be read. */
import { type KindTable, SlipwayError } from '../errors/slipway-error.js';

/** Why a scanner cannot do its work. */
export type ScanErrorCode =
  | 'SCAN_ADVISORY_INVALID'
  | 'SCAN_ADVISORY_DB_NOT_FOUND'
  | 'SCAN_ARCHIVE_INVALID'
  | 'SCAN_LOCKFILE_INVALID'
  | 'SCAN_LOCKFILE_NOT_FOUND'
  | 'SCAN_DPKG_STATUS_INVALID'
  | 'SCAN_OSV_API_UNREACHABLE'
  | 'SCAN_OSV_API_FAILED';

const KINDS: KindTable<ScanErrorCode> = {
  SCAN_ADVISORY_INVALID: 'invalid',
  SCAN_ADVISORY_DB_NOT_FOUND: 'not_found',
  SCAN_ARCHIVE_INVALID: 'invalid',
  SCAN_LOCKFILE_INVALID: 'invalid',
  SCAN_LOCKFILE_NOT_FOUND: 'not_found',
  SCAN_DPKG_STATUS_INVALID: 'invalid',
  SCAN_OSV_API_UNREACHABLE: 'unavailable',
  SCAN_OSV_API_FAILED: 'failed',
};

/** A scan that cannot be done. */
export class ScanError extends SlipwayError<ScanErrorCode> {
  override readonly name = 'ScanError';
  constructor(code: ScanErrorCode, message: string, options?: { readonly cause?: unknown }) {
    super(code, KINDS[code], message, options);
  }
}
