// Typed errors of the artifact store: every failure leaving src/pipeline/artifacts/ is an ArtifactError.

/** Stable machine-readable reasons an artifact operation can fail. */
export type ArtifactErrorCode =
  | 'ARTIFACT_PATH_OUTSIDE'
  | 'ARTIFACT_MANIFEST_INVALID'
  | 'ARTIFACT_OBJECT_MISSING'
  | 'ARTIFACT_OBJECT_CORRUPT'
  | 'ARTIFACT_FILE_CHANGED'
  | 'ARTIFACT_IO';

/** Error thrown by the artifact store; `code` is stable, `cause` keeps the file-system error. */
export class ArtifactError extends Error {
  override readonly name = 'ArtifactError';
  /** Stable reason, safe to branch on. */
  readonly code: ArtifactErrorCode;

  constructor(code: ArtifactErrorCode, message: string, options?: { readonly cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** Wraps an unexpected failure as ARTIFACT_IO, passing ArtifactErrors through unchanged. */
export function toArtifactError(error: unknown, message: string): ArtifactError {
  return error instanceof ArtifactError ? error : new ArtifactError('ARTIFACT_IO', message, { cause: error });
}
