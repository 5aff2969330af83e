/** `snapshots`: the database snapshots deploys took, and one taken by hand. */
import type { RunCommand } from '../command-runner.js';
import type { Program } from '../program.js';

const handlers = () => import('../commands/snapshots.js');

/** Declares `snapshots list|take`; handlers load only when one runs. */
export function declareSnapshotCommands(program: Program, run: RunCommand): void {
  const snapshots = program
    .command('snapshots')
    .description(
      "database snapshots: taken before deploys by each environment's `databases:`, restored by rollback --data",
    );
  snapshots
    .command('list')
    .description('the snapshots kept, newest first: database, when, why, the deploy, size, checksum, tables')
    .option('--env <env>', 'only this environment')
    .option('--database <name>', 'only this database')
    .option('--all', 'also the snapshots whose files retention deleted')
    .action((opts, command) => run(command, async (ctx) => (await handlers()).snapshotsList(ctx, opts)));
  snapshots
    .command('take')
    .description("snapshot an environment's databases now (every one, or --database)")
    .requiredOption('--env <env>', 'environment')
    .option('--database <name>', 'only this database')
    .action((opts, command) => run(command, async (ctx) => (await handlers()).snapshotsTake(ctx, opts)));
}
