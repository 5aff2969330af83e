/**
 * The rollout commands: `plan`, `deploy`, `promote`, `pause`, `abort`, `rollback`, `status`,
 * `history` and `health`, each about one service in one environment.
 */
import type { RunCommand } from '../command-runner.js';
import type { Program } from '../program.js';

const controlHandlers = () => import('../commands/rollout-control.js');
const statusHandlers = () => import('../commands/rollout-status.js');

/** Declares the rollout commands; each handler module loads only when its command runs. */
export function declareRolloutCommands(program: Program, run: RunCommand): void {
  program
    .command('plan')
    .argument('<service>', 'service id from slipway.yaml')
    .description('show the steps a deploy would take (weights and instances at each), changing nothing')
    .option('--env <env>', 'environment to plan the deploy for')
    .action((service, opts, command) =>
      run(command, async (ctx) => (await import('../commands/plan.js')).planCommand(ctx, service, opts)),
    );

  program
    .command('deploy')
    .argument('<service>', 'service id from slipway.yaml')
    .description(
      "deploy the service's current source and config with the environment's strategy (exit 0 completed, 1 rolled back or aborted)",
    )
    .option('--env <env>', 'environment to deploy to')
    .option('--timeout <seconds>', 'how long new instances get to become ready', '120')
    .option('--queue', 'wait for a rollout in progress to end instead of refusing')
    .option('--resume', 'continue the rollout in progress whose controller was killed')
    .action((service, opts, command) =>
      run(command, async (ctx) => (await import('../commands/deploy.js')).deployCommand(ctx, service, opts)),
    );

  const control = (name: 'promote' | 'pause' | 'abort', description: string) =>
    program
      .command(name)
      .argument('<service>', 'service id')
      .description(description)
      .option('--env <env>', 'environment')
      .option('--region <region>', 'only the rollout of this region (an environment with hosts)');
  control('promote', 'promote a paused or holding rollout to its next step (--full: straight to 100%)')
    .option('--full', 'skip the remaining steps and analysis')
    .action((service, opts, command) =>
      run(command, async (ctx) => (await controlHandlers()).controlCommand(ctx, 'promote', service, opts)),
    );
  for (const [name, description] of [
    ['pause', 'pause a rollout in progress where it is'],
    ['abort', 'abort a rollout: traffic returns to the stable revision and the new one stops'],
  ] as const) {
    control(name, description).action((service, opts, command) =>
      run(command, async (ctx) => (await controlHandlers()).controlCommand(ctx, name, service, opts)),
    );
  }

  program
    .command('rollback')
    .argument('<service>', 'service id')
    .description('go back to the previous revision (or --to REVISION), config included, in one switch')
    .option('--env <env>', 'environment')
    .option('--to <revision>', 'revision id, or a release tag such as v1.2.0')
    .option('--region <region>', 'only this region (an environment with hosts)')
    .option('--schema', "then run the service's `down` migration, reverting the undone deploy's `expand`")
    .option(
      '--config-only',
      "redeploy the running code with the previous configuration version, through the environment's strategy",
    )
    .option(
      '--data',
      'also restore the databases to the snapshots taken before the deploy being undone (lists what is lost; needs --yes)',
    )
    .option('--yes', 'with --data: roll back without asking, after printing what is lost')
    .action((service, opts, command) =>
      run(command, async (ctx) =>
        opts.data
          ? (await import('../commands/rollback-data.js')).rollbackDataCommand(ctx, service, opts)
          : opts.configOnly
            ? (await import('../commands/rollback-config.js')).rollbackConfigCommand(ctx, service, opts)
            : (await controlHandlers()).rollbackCommand(ctx, service, opts),
      ),
    );

  program
    .command('status')
    .argument('[service]', 'service id (default: every service)')
    .description('phase, step, weights, instances per revision and the latest measurements')
    .option('--env <env>', 'environment')
    .action((service, opts, command) =>
      run(command, async (ctx) => (await statusHandlers()).statusCommand(ctx, service, opts)),
    );

  program
    .command('history')
    .argument('<service>', 'service id')
    .description('every rollout of a service in an environment: revision, who, when, outcome')
    .option('--env <env>', 'environment')
    .option('--limit <n>', 'most rollouts', '50')
    .action((service, opts, command) =>
      run(command, async (ctx) => (await statusHandlers()).historyCommand(ctx, service, opts)),
    );

  program
    .command('health')
    .argument('[service]', 'service id (default: every service)')
    .description('show instances, probes and dependency checks with latency (exit 1 when unhealthy)')
    .option('--env <env>', 'environment')
    .action((service, opts, command) =>
      run(command, async (ctx) => (await import('../commands/health.js')).healthCommand(ctx, service, opts)),
    );
}
