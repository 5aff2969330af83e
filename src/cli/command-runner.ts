/**
 * How a declared command runs: its context comes from the global options, a local-only command
 * refuses a server, and the handler's exit code is handed back to `main`.
 */
import type { Command, OptionValues } from '@commander-js/extra-typings';
import { type CliIo, type CommandContext, commandContext, type GlobalOptions } from './context.js';

/** A command's work once its context is known; resolves to the exit code. */
export type CommandAction = (ctx: CommandContext) => number | Promise<number>;

/** A parsed command of the program, whatever its own arguments and options. */
export type ParsedCommand = Command<unknown[], OptionValues, GlobalOptions>;

/** What each family's action calls with its parsed command and the work to do. */
export type RunCommand = (command: ParsedCommand, action: CommandAction) => Promise<void>;

/** The runner of one CLI invocation: `onExit` receives the exit code of the command that ran. */
export function commandRunner(io: CliIo, onExit: (code: number) => void): RunCommand {
  return async (command, action) => {
    const ctx = commandContext(io, command.optsWithGlobals());
    // The policy table is only needed with a server, so a local command does not load it.
    if (ctx.remote) (await import('./remote/command-policy.js')).checkRemotePolicy(ctx, command);
    onExit(await action(ctx));
  };
}
