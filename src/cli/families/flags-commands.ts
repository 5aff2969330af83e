/** `flags`: feature flags in flagd's format, versioned in the event log and served over OFREP. */
import type { RunCommand } from '../command-runner.js';
import type { Program } from '../program.js';

const handlers = () => import('../commands/flags.js');

/** Declares `flags list|get|set|enable|disable|history|rollback|rollout`; handlers load only when one runs. */
export function declareFlagsCommands(program: Program, run: RunCommand): void {
  const flags = program
    .command('flags')
    .description(
      "feature flags: slipway.yaml's flags: plus every change since, each a version; changes are served over OFREP at once",
    );
  flags
    .command('list')
    .description('every flag: state, default variant, variants, version and last change')
    .action((_opts, command) => run(command, async (ctx) => (await handlers()).flagsList(ctx)));
  flags
    .command('get')
    .argument('<flag>', 'flag key')
    .description("a flag's whole current definition (flagd format) and version")
    .action((key, _opts, command) => run(command, async (ctx) => (await handlers()).flagsGet(ctx, key)));
  flags
    .command('set')
    .argument('<flag>', 'flag key')
    .argument('[variant]', 'the variant to serve by default')
    .description(
      'change a flag: its default VARIANT, fractional --weights, or a whole --definition; recorded as a new version and published',
    )
    .option('--weights <weights>', 'split users by weights, e.g. on=5,off=95')
    .option('--definition <file>', 'a JSON file holding a whole flagd flag definition')
    .action((key, variant, opts, command) =>
      run(command, async (ctx) => (await handlers()).flagsSet(ctx, key, variant, opts)),
    );
  for (const [name, description] of [
    ['enable', 'enable a flag: its variants are served again'],
    ['disable', "disable a flag: applications get their code's default"],
  ] as const) {
    flags
      .command(name)
      .argument('<flag>', 'flag key')
      .description(description)
      .action((key, _opts, command) =>
        run(command, async (ctx) => (await handlers()).flagsState(ctx, key, name)),
      );
  }
  flags
    .command('history')
    .argument('<flag>', 'flag key')
    .description('every version of a flag: who changed what, when, from where')
    .action((key, _opts, command) => run(command, async (ctx) => (await handlers()).flagsHistory(ctx, key)));
  flags
    .command('rollback')
    .argument('<flag>', 'flag key')
    .description(
      'serve an earlier definition again (the version before the current one, or --to), as a new version',
    )
    .option('--to <version>', 'the version to go back to')
    .action((key, opts, command) =>
      run(command, async (ctx) => (await handlers()).flagsRollback(ctx, key, opts)),
    );
  flags
    .command('rollout')
    .argument('<flag>', 'flag key')
    .description(
      "roll a variant out stage by stage under analysis, as the featureFlag strategy of the service's environment says; rolled back on a failed analysis",
    )
    .option('--service <service>', 'the service whose strategy rolls the flag out (when several do)')
    .option('--env <env>', 'the environment whose strategy rolls the flag out (when several do)')
    .action((key, opts, command) =>
      run(command, async (ctx) =>
        (await import('../commands/flags-rollout.js')).flagsRolloutCommand(ctx, key, opts),
      ),
    );
}
