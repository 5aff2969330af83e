/** Typed errors of the pipeline domain that reach the user. */

/** Why a pipeline command cannot do what was asked. */
export type PipelineErrorCode =
  | 'RUN_NOT_FOUND'
  | 'RUN_FINISHED'
  | 'RUN_ACTIVE'
  | 'RUN_NOT_RESUMABLE'
  | 'APPROVAL_NOT_FOUND'
  | 'APPROVAL_DECIDED'
  | 'CONFIG_INVALID';

/** A pipeline command the user asked for that cannot be done (exit code 2). */
export class PipelineError extends Error {
  override readonly name = 'PipelineError';
  constructor(
    readonly code: PipelineErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
