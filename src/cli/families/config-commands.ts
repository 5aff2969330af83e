/**
 * `validate`, `schema`, `init` and `config history`: the commands about slipway.yaml itself and the
 * configuration versions it deployed, which always run locally.
 */
import type { RunCommand } from '../command-runner.js';
import type { Program } from '../program.js';

/** Declares the config commands; `validate` stays fast because each handler loads only when it runs. */
export function declareConfigCommands(program: Program, run: RunCommand): void {
  program
    .command('validate')
    .description('check slipway.yaml and report every problem as file:line:col')
    .action((_opts, command) =>
      run(command, async (ctx) => (await import('../commands/validate.js')).validateCommand(ctx)),
    );

  program
    .command('schema')
    .description('print the JSON Schema of slipway.yaml (for editor completion)')
    .action((_opts, command) =>
      run(command, async (ctx) => (await import('../commands/schema.js')).schemaCommand(ctx)),
    );

  program
    .command('init')
    .description('write a commented starter slipway.yaml, filled from package.json scripts')
    .option('--force', 'overwrite an existing file')
    .action((opts, command) =>
      run(command, async (ctx) => (await import('../commands/init.js')).initCommand(ctx, opts)),
    );

  program
    .command('config')
    .description("a service's configuration versions (env and secret versions, kept with each revision)")
    .command('history')
    .argument('<service>', 'service id')
    .description('the configuration versions, newest first, with what changed (secret values never shown)')
    .option('--env <env>', 'environment')
    .action((service, opts, command) =>
      run(command, async (ctx) =>
        (await import('../commands/config-history.js')).configHistoryCommand(ctx, service, opts),
      ),
    );
}
