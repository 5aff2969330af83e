/** The one base of Slipway's typed errors: a stable `code` for machines and a `kind` each boundary maps once. */

/**
 * What sort of failure an error is, independent of its domain:
 * - `usage`: the command or request itself is wrong (arguments, flags, fields); the user must ask differently;
 * - `invalid`: what was asked is well-formed, but the config, plan or file it acts on fails its checks;
 * - `failed`: the work was attempted and failed;
 * - `not_found`: the thing named does not exist;
 * - `conflict`: the thing exists but its state forbids the request (already running, already decided);
 * - `unavailable`: something Slipway depends on cannot be reached or is not ready;
 * - `internal`: a bug in Slipway.
 */
export type ErrorKind =
  | 'usage'
  | 'invalid'
  | 'failed'
  | 'not_found'
  | 'conflict'
  | 'unavailable'
  | 'internal';

/** The kind of every code of one error class: a `Record`, so adding a code forces choosing its kind. */
export type KindTable<Code extends string> = Readonly<Record<Code, ErrorKind>>;

/** The base every typed error extends; the CLI and the HTTP API turn `kind` into an exit code or a status. */
export abstract class SlipwayError<Code extends string = string> extends Error {
  /** A stable identifier, safe to branch on (part of the JSON contracts). */
  readonly code: Code;
  /** How the boundaries treat this error. */
  readonly kind: ErrorKind;

  constructor(code: Code, kind: ErrorKind, message: string, options?: { readonly cause?: unknown }) {
    // Only a real cause is attached, so `'cause' in error` says whether there is one.
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.kind = kind;
  }
}

/** True for any Slipway error. */
export function isSlipwayError(error: unknown): error is SlipwayError {
  return error instanceof SlipwayError;
}
