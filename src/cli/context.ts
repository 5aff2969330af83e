/** What every command gets: where it runs, its streams and environment, and how to write output. */
import { Output, type OutputTarget } from './output.js';

/** The process-level inputs of a CLI invocation, injectable for tests. */
export interface CliIo extends OutputTarget {
  readonly cwd: string;
}

/** Options every command accepts (a type alias, so commander's typed option values can be checked against it). */
export type GlobalOptions = {
  readonly json?: boolean;
  readonly file?: string;
  /** `--server URL`: talk to a Slipway server instead of the local engines. */
  readonly server?: string;
};

/** The server a command talks to, and where its address came from (for messages). */
export interface RemoteTarget {
  readonly url: string;
  readonly from: '--server' | 'SLIPWAY_SERVER';
}

/** The context a command action runs with. */
export interface CommandContext {
  readonly io: CliIo;
  readonly options: GlobalOptions;
  readonly output: Output;
  /** Set when the command should use a server's API (`--server`, else SLIPWAY_SERVER). */
  readonly remote?: RemoteTarget;
}

/** Builds the context for one command from its parsed global options. */
export function commandContext(io: CliIo, options: GlobalOptions): CommandContext {
  const output = new Output(io, { json: options.json === true });
  const fromEnv = io.env.SLIPWAY_SERVER?.trim();
  const remote: RemoteTarget | undefined =
    options.server !== undefined
      ? { url: options.server, from: '--server' }
      : fromEnv
        ? { url: fromEnv, from: 'SLIPWAY_SERVER' }
        : undefined;
  return { io, options, output, ...(remote ? { remote } : {}) };
}
