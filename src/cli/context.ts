/** What every command gets: where it runs, its streams and environment, and how to write output. */
import { Output, type OutputTarget } from './output.js';

/** The process-level inputs of a CLI invocation, injectable for tests. */
export interface CliIo extends OutputTarget {
  readonly cwd: string;
}

/** Options every command accepts. */
export interface GlobalOptions {
  readonly json?: boolean;
  readonly file?: string;
}

/** The context a command action runs with. */
export interface CommandContext {
  readonly io: CliIo;
  readonly options: GlobalOptions;
  readonly output: Output;
}

/** Builds the context for one command from its parsed global options. */
export function commandContext(io: CliIo, options: GlobalOptions): CommandContext {
  return { io, options, output: new Output(io, { json: options.json === true }) };
}
