/** Exit codes of the slipway command, as documented in the README, and the one that ends each kind of error. */
import type { ErrorKind } from '../errors/slipway-error.js';

/** Exit codes of the slipway command. */
export const ExitCode = {
  /** The command did what was asked. */
  Ok: 0,
  /** The work failed (a pipeline run failed, a config is invalid), or something it needs is unavailable. */
  Failed: 1,
  /** The user must change what they asked: usage, config or input mistakes, unknown names, conflicting state. */
  Usage: 2,
  /** Internal error: a bug in Slipway. */
  Internal: 70,
  /** Interrupted (SIGINT) or cancelled. */
  Interrupted: 130,
} as const;

/** One of the exit codes above. */
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** The exit code of each kind of error: the user's to fix (2), the work's (1), or a bug (70). */
export const EXIT_CODE_OF_KIND: Readonly<Record<ErrorKind, ExitCodeValue>> = {
  usage: ExitCode.Usage,
  invalid: ExitCode.Usage,
  not_found: ExitCode.Usage,
  conflict: ExitCode.Usage,
  failed: ExitCode.Failed,
  unavailable: ExitCode.Failed,
  internal: ExitCode.Internal,
};
