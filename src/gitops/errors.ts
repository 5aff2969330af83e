/** Typed errors of the GitOps domain that reach the user. */
import { type KindTable, SlipwayError } from '../errors/slipway-error.js';

/** Why the desired state cannot be read or applied. */
export type GitOpsErrorCode =
  | 'NOT_CONFIGURED'
  | 'FETCH_FAILED'
  | 'NO_BRANCH'
  | 'NO_CONFIG'
  | 'CONFIG_INVALID';

const KINDS: KindTable<GitOpsErrorCode> = {
  NOT_CONFIGURED: 'usage',
  FETCH_FAILED: 'unavailable',
  NO_BRANCH: 'not_found',
  NO_CONFIG: 'not_found',
  CONFIG_INVALID: 'failed',
};

/** The desired state could not be read (a fetch failure never deletes anything). */
export class GitOpsError extends SlipwayError<GitOpsErrorCode> {
  override readonly name = 'GitOpsError';
  constructor(code: GitOpsErrorCode, message: string, options?: { readonly cause?: unknown }) {
    super(code, KINDS[code], message, options);
  }
}
