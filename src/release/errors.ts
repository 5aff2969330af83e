/** Typed errors of the release domain. */

/** Codes of mistakes in the input (exit 2): the repository or the arguments are not fit for a release. */
const USAGE_CODES = [
  'NOT_A_GIT_REPO',
  'NO_COMMITS',
  'SHALLOW_CLONE',
  'DIRTY_WORKTREE',
  'UNKNOWN_PACKAGE',
  'PACKAGE_REQUIRED',
  'BAD_PRERELEASE_ID',
  'RELEASE_NOT_FOUND',
  'TAG_EXISTS',
] as const;
/** Codes of release actions that failed (exit 1). */
const FAILURE_CODES = ['GIT_FAILED', 'ASSET_CORRUPTED', 'ASSET_MISSING', 'WRITE_FAILED'] as const;

/** A stable code of a ReleaseError. */
export type ReleaseErrorCode = (typeof USAGE_CODES)[number] | (typeof FAILURE_CODES)[number];

const usage: ReadonlySet<string> = new Set(USAGE_CODES);

/** A release that cannot be planned, applied or read. */
export class ReleaseError extends Error {
  override readonly name = 'ReleaseError';
  constructor(
    readonly code: ReleaseErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** True when the input was at fault (exit 2) rather than the action (exit 1). */
  get isUsage(): boolean {
    return usage.has(this.code);
  }
}
