/** Typed errors of the platform domain that reach the user. */

/** Why a platform operation cannot be done. */
export type PlatformErrorCode =
  | 'SERVICE_NOT_FOUND'
  | 'REVISION_NOT_FOUND'
  | 'SOURCE_NOT_FOUND'
  | 'PORT_IN_USE'
  | 'BAD_REQUEST'
  | 'AGENT_UNAVAILABLE'
  | 'AGENT_RUNNING';

/** A platform operation that cannot be done as asked (exit code 2 at the CLI unless said otherwise). */
export class PlatformError extends Error {
  override readonly name = 'PlatformError';
  constructor(
    readonly code: PlatformErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
