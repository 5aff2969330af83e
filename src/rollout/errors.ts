/** Typed errors of the rollout domain that reach the user. */

/** Why a rollout command cannot do what was asked. */
export type RolloutErrorCode =
  | 'SERVICE_UNKNOWN'
  | 'ENVIRONMENT_UNKNOWN'
  | 'ROLLOUT_ACTIVE'
  | 'NO_ROLLOUT'
  | 'NOTHING_TO_ROLL_BACK_TO'
  | 'ENDPOINT_UNAVAILABLE';

/** A rollout command that cannot be done (exit code 2). */
export class RolloutError extends Error {
  override readonly name = 'RolloutError';
  constructor(
    readonly code: RolloutErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
