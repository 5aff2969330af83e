/** Exit codes of the slipway command, as documented in the README. */
export const ExitCode = {
  /** The command did what was asked. */
  Ok: 0,
  /** The work failed (a pipeline run failed, a config is invalid). */
  Failed: 1,
  /** Usage, config or I/O problem. */
  Usage: 2,
  /** Internal error: a bug in Slipway. */
  Internal: 70,
  /** Interrupted (SIGINT) or cancelled. */
  Interrupted: 130,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];
