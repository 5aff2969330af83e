/**
 * The CLI boundary: parses arguments, wires commands, and turns every error into a message
 * and an exit code. User mistakes never print a stack trace; internal errors say they are bugs.
 */
import { Command, CommanderError, Option } from 'commander';
import { ConfigFileError } from '../spec/errors.js';
import { initCommand } from './commands/init.js';
import { schemaCommand } from './commands/schema.js';
import { validateCommand } from './commands/validate.js';
import { type CliIo, commandContext, type GlobalOptions } from './context.js';
import { UsageError } from './errors.js';
import { ExitCode } from './exit-codes.js';
import { slipwayVersion } from './version.js';

/** A command handler: gets its context and its own options, returns an exit code. */
type Handler = (
  ctx: ReturnType<typeof commandContext>,
  opts: Record<string, unknown>,
  args: string[],
) => number | Promise<number>;

/** Runs the CLI with `argv` (without node and script) and returns the exit code. */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  let exitCode: number = ExitCode.Ok;
  const program = new Command('slipway');
  const wrap =
    (handler: Handler) =>
    async (...params: unknown[]): Promise<void> => {
      const command = params[params.length - 1] as Command;
      const opts = command.opts();
      const globals = command.optsWithGlobals() as GlobalOptions;
      const args = command.args;
      exitCode = await handler(commandContext(io, globals), opts, args);
    };
  program
    .description(
      'Self-hosted continuous delivery: pipelines, progressive rollouts and releases from one slipway.yaml.',
    )
    .version(slipwayVersion(), '-V, --version', 'print the version')
    .addOption(new Option('-f, --file <path>', 'config file (default: ./slipway.yaml, then ./slipway.yml)'))
    .addOption(new Option('--json', 'machine-readable output on stdout (NDJSON for event streams)'))
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    })
    .addHelpText(
      'after',
      "\nExit codes: 0 ok, 1 the work failed, 2 usage or config error, 130 interrupted.\nRun `slipway <command> --help` for a command's flags.",
    );

  program
    .command('validate')
    .description('check slipway.yaml and report every problem as file:line:col')
    .action(wrap((ctx) => validateCommand(ctx)));
  program
    .command('schema')
    .description('print the JSON Schema of slipway.yaml (for editor completion)')
    .action(wrap((ctx) => schemaCommand(ctx)));
  program
    .command('init')
    .description('write a commented starter slipway.yaml, filled from package.json scripts')
    .option('--force', 'overwrite an existing file')
    .action(wrap((ctx, opts) => initCommand(ctx, opts as { force?: boolean })));

  for (const sub of program.commands) {
    sub
      .exitOverride()
      .configureOutput({ writeOut: (t) => io.stdout.write(t), writeErr: (t) => io.stderr.write(t) });
  }

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    return reportError(error, io);
  }
}

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
  if (error instanceof UsageError || error instanceof ConfigFileError) {
    io.stderr.write(`slipway: ${error.message}\n`);
    return ExitCode.Usage;
  }
  const stack = error instanceof Error ? (error.stack ?? error.message) : String(error);
  io.stderr.write(`slipway: internal error (this is a bug): ${stack}\n`);
  return ExitCode.Internal;
}

function processIo(): CliIo {
  return { cwd: process.cwd(), env: process.env, stdout: process.stdout, stderr: process.stderr };
}
