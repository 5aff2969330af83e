/** The CLI's error boundary: the one place an error becomes a message on stderr and an exit code. */
import { CommanderError } from 'commander';
import { ConfigFileError } from '../config/errors.js';
import { PipelineError } from '../pipeline/errors.js';
import { PlanError } from '../pipeline/plan.js';
import { PlatformError } from '../platform/errors.js';
import { ReleaseError } from '../release/errors.js';
import { RolloutError } from '../rollout/errors.js';
import { ServerError } from '../server/server-error.js';
import { StoreError } from '../store/errors.js';
import type { CliIo } from './context.js';
import { UsageError } from './errors.js';
import { ExitCode } from './exit-codes.js';
import { RemoteError } from './remote/remote-error.js';

/** Maps an error to its message and exit code: the one place CLI errors become output. */
export function reportError(error: unknown, io: CliIo): number {
  if (error instanceof CommanderError) {
    if (
      error.code === 'commander.helpDisplayed' ||
      error.code === 'commander.version' ||
      error.code === 'commander.help'
    ) {
      return ExitCode.Ok;
    }
    return ExitCode.Usage;
  }
  if (
    error instanceof UsageError ||
    error instanceof ConfigFileError ||
    error instanceof PipelineError ||
    error instanceof PlanError ||
    error instanceof PlatformError ||
    error instanceof RolloutError ||
    error instanceof ServerError ||
    (error instanceof StoreError && error.code !== 'DB_ERROR' && error.code !== 'MIGRATION_FAILED')
  ) {
    io.stderr.write(`slipway: ${error.message}\n`);
    return ExitCode.Usage;
  }
  if (error instanceof RemoteError) {
    io.stderr.write(`slipway: ${error.message}\n`);
    return error.exitCode;
  }
  if (error instanceof ReleaseError) {
    io.stderr.write(`slipway: ${error.message}\n`);
    return error.isUsage ? ExitCode.Usage : ExitCode.Failed;
  }
  if (error instanceof StoreError) {
    io.stderr.write(
      `slipway: state store error: ${error.message}${error.cause ? ` (${(error.cause as Error).message ?? error.cause})` : ''}\n`,
    );
    return ExitCode.Failed;
  }
  const stack = error instanceof Error ? (error.stack ?? error.message) : String(error);
  io.stderr.write(`slipway: internal error (this is a bug): ${stack}\n`);
  return ExitCode.Internal;
}
