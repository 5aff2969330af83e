/** `edge` and `failover`: the entry point of an environment whose hosts sit in several regions, and its failover by hand. */
import type { RunCommand } from '../command-runner.js';
import type { Program } from '../program.js';

/** Declares `edge` and `failover`; their handlers load only when one of them runs. */
export function declareEdgeCommands(program: Program, run: RunCommand): void {
  program
    .command('edge')
    .argument('<env>', 'an environment with hosts in regions')
    .description(
      "serve one entry point that splits the service's traffic between the environment's regions by their shares and fails regions over (foreground, until Ctrl-C)",
    )
    .option('--service <service>', 'the service the edge serves (default: the only one)')
    .option('--port <n>', 'port of the entry point (default: a free one, printed)')
    .option('--host <host>', 'interface of the entry point', '127.0.0.1')
    .option('--director <kind>', 'what serves the entry point: router (Slipway) or haproxy', 'router')
    .option(
      '--hold <duration>',
      'how long a failed-over region stays healthy before its share comes back (default 60s)',
    )
    .option(
      '--restore-step <duration>',
      'time between two steps of a region getting its share back (default 15s)',
    )
    .action((env, opts, command) =>
      run(command, async (ctx) => (await import('../commands/edge.js')).edgeCommand(ctx, env, opts)),
    );

  program
    .command('failover')
    .argument('<env>', 'the environment whose running edge gets the command')
    .description(
      'take a region out of the traffic at once (--from) or start giving it its share back (--restore) (exit 0 accepted, 1 rejected)',
    )
    .option('--from <region>', "move the region's share to the other regions")
    .option('--restore <region>', 'bring a failed-over region back in steps')
    .action((env, opts, command) =>
      run(command, async (ctx) => (await import('../commands/failover.js')).failoverCommand(ctx, env, opts)),
    );
}
