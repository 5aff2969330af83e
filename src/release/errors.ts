/** Typed errors of the release domain. */
import { type KindTable, SlipwayError } from '../errors/slipway-error.js';

/** A stable code of a ReleaseError. */
export type ReleaseErrorCode =
  | 'NOT_A_GIT_REPO'
  | 'NO_COMMITS'
  | 'SHALLOW_CLONE'
  | 'DIRTY_WORKTREE'
  | 'UNKNOWN_PACKAGE'
  | 'PACKAGE_REQUIRED'
  | 'BAD_PRERELEASE_ID'
  | 'RELEASE_NOT_FOUND'
  | 'TAG_EXISTS'
  | 'GIT_FAILED'
  | 'ASSET_CORRUPTED'
  | 'ASSET_MISSING'
  | 'WRITE_FAILED';

// The repository or the arguments not being fit for a release is the user's to fix; git or the
// file system failing halfway, or stored assets gone bad, is the release failing.
const KINDS: KindTable<ReleaseErrorCode> = {
  NOT_A_GIT_REPO: 'usage',
  PACKAGE_REQUIRED: 'usage',
  BAD_PRERELEASE_ID: 'usage',
  UNKNOWN_PACKAGE: 'not_found',
  RELEASE_NOT_FOUND: 'not_found',
  NO_COMMITS: 'conflict',
  SHALLOW_CLONE: 'conflict',
  DIRTY_WORKTREE: 'conflict',
  TAG_EXISTS: 'conflict',
  GIT_FAILED: 'failed',
  ASSET_CORRUPTED: 'failed',
  ASSET_MISSING: 'failed',
  WRITE_FAILED: 'failed',
};

/** A release that cannot be planned, applied or read. */
export class ReleaseError extends SlipwayError<ReleaseErrorCode> {
  override readonly name = 'ReleaseError';
  constructor(code: ReleaseErrorCode, message: string, options?: { readonly cause?: unknown }) {
    super(code, KINDS[code], message, options);
  }
}
