/** `gitops status|diff|sync`: the desired state in a repository's branch, against what runs. */
import type { RunCommand } from '../command-runner.js';
import type { Program } from '../program.js';

/** Declares `gitops` and its subcommands; their handlers load only when one of them runs. */
export function declareGitOpsCommands(program: Program, run: RunCommand): void {
  const gitops = program
    .command('gitops')
    .description("converge what runs to the desired state in the `gitops:` repository's branch");
  gitops
    .command('status')
    .description(
      'fetch the branch; show each service and environment: sync status, health, revisions, action',
    )
    .action((_opts, command) =>
      run(command, async (ctx) => (await import('../commands/gitops.js')).gitopsStatus(ctx)),
    );
  gitops
    .command('diff')
    .description('fetch the branch; print how what runs differs from it (exit 0 in sync, 1 out of sync)')
    .action((_opts, command) =>
      run(command, async (ctx) => (await import('../commands/gitops.js')).gitopsDiff(ctx)),
    );
  gitops
    .command('sync')
    .description(
      "one reconcile pass: deploy what is out of sync through its environment's rollout, heal drift (selfHeal), prune (prune) (exit 0 all synced, 1 a sync failed)",
    )
    .option('--force', 'retry a revision whose sync ended rolled back, and undo drift without selfHeal')
    .action((opts, command) =>
      run(command, async (ctx) => (await import('../commands/gitops.js')).gitopsSync(ctx, opts)),
    );
  gitops
    .command('history')
    .description('syncs, failures and prunes, newest first, with the commit each applied')
    .option('--limit <n>', 'how many', '50')
    .action((opts, command) =>
      run(command, async (ctx) =>
        (await import('../commands/gitops-control.js')).gitopsHistoryCommand(ctx, opts),
      ),
    );
  gitops
    .command('suspend')
    .description("stop the server's automatic passes from changing anything (status still updates)")
    .option('--reason <text>', 'why, recorded in the event log')
    .action((opts, command) =>
      run(command, async (ctx) =>
        (await import('../commands/gitops-control.js')).gitopsSuspend(ctx, true, opts),
      ),
    );
  gitops
    .command('resume')
    .description("let the server's automatic passes apply the desired state again")
    .action((_opts, command) =>
      run(command, async (ctx) =>
        (await import('../commands/gitops-control.js')).gitopsSuspend(ctx, false, {}),
      ),
    );
}
