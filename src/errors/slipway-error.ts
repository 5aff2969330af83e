/** The one base of Slipway's typed errors: a stable `code` for machines and a `kind` each boundary maps once. */

/**
 * What sort of failure an error is, independent of its domain:
 * - `usage`: the request or the config is wrong; the user must change what they asked for;
 * - `failed`: the work was attempted and failed;
 * - `not_found`: the thing named does not exist;
 * - `conflict`: the thing exists but its state forbids the request (already running, already decided);
 * - `unavailable`: something Slipway depends on cannot be reached or is not ready;
 * - `internal`: a bug in Slipway.
 */
export type ErrorKind = 'usage' | 'failed' | 'not_found' | 'conflict' | 'unavailable' | 'internal';

/** The base every typed error extends; the CLI and the HTTP API turn `kind` into an exit code or a status. */
export abstract class SlipwayError<Code extends string = string> extends Error {
  /** A stable, upper-snake-case identifier (part of the JSON contracts). */
  readonly code: Code;
  /** How the boundaries treat this error. */
  readonly kind: ErrorKind;

  constructor(code: Code, kind: ErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.kind = kind;
  }
}

/** True for any Slipway error. */
export function isSlipwayError(error: unknown): error is SlipwayError {
  return error instanceof SlipwayError;
}
