/** The CLI's error boundary: the one place an error becomes a message on stderr and an exit code. */
import { CommanderError } from 'commander';
import { isSlipwayError } from '../errors/slipway-error.js';
import type { CliIo } from './context.js';
import { EXIT_CODE_OF_KIND, ExitCode } from './exit-codes.js';

/** Maps an error to its message and exit code: the one place CLI errors become output. */
export function reportError(error: unknown, io: CliIo): number {
  if (error instanceof CommanderError) {
    // Commander has already printed its own message (or the help or version asked for).
    if (
      error.code === 'commander.helpDisplayed' ||
      error.code === 'commander.version' ||
      error.code === 'commander.help'
    ) {
      return ExitCode.Ok;
    }
    return ExitCode.Usage;
  }
  // A user's mistake or a failure the user can act on is one line; anything else is a bug and keeps its stack.
  if (isSlipwayError(error) && error.kind !== 'internal') {
    io.stderr.write(`slipway: ${error.message}\n`);
    return EXIT_CODE_OF_KIND[error.kind];
  }
  const stack = error instanceof Error ? (error.stack ?? error.message) : String(error);
  io.stderr.write(`slipway: internal error (this is a bug): ${stack}\n`);
  return ExitCode.Internal;
}
