// Typed errors of the artifact store: every failure leaving src/pipeline/artifacts/ is an ArtifactError.
import { type KindTable, SlipwayError } from '../../errors/slipway-error.js';

/** Stable machine-readable reasons an artifact operation can fail. */
export type ArtifactErrorCode =
  | 'ARTIFACT_PATH_OUTSIDE'
  | 'ARTIFACT_MANIFEST_INVALID'
  | 'ARTIFACT_OBJECT_MISSING'
  | 'ARTIFACT_OBJECT_CORRUPT'
  | 'ARTIFACT_FILE_CHANGED'
  | 'ARTIFACT_IO';

// A path leading outside the working directory is the pipeline's mistake; everything else is stored
// data or a file system letting the work down.
const KINDS: KindTable<ArtifactErrorCode> = {
  ARTIFACT_PATH_OUTSIDE: 'invalid',
  ARTIFACT_MANIFEST_INVALID: 'failed',
  ARTIFACT_OBJECT_MISSING: 'failed',
  ARTIFACT_OBJECT_CORRUPT: 'failed',
  ARTIFACT_FILE_CHANGED: 'failed',
  ARTIFACT_IO: 'failed',
};

/** Error thrown by the artifact store; `code` is stable, `cause` keeps the file-system error. */
export class ArtifactError extends SlipwayError<ArtifactErrorCode> {
  override readonly name = 'ArtifactError';
  constructor(code: ArtifactErrorCode, message: string, options?: { readonly cause?: unknown }) {
    super(code, KINDS[code], message, options);
  }
}

/** Wraps an unexpected failure as ARTIFACT_IO, passing ArtifactErrors through unchanged. */
export function toArtifactError(error: unknown, message: string): ArtifactError {
  return error instanceof ArtifactError ? error : new ArtifactError('ARTIFACT_IO', message, { cause: error });
}
