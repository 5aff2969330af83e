/** `metrics` and `incident`: the delivery figures from the event log, and the failures they count. */
import type { RunCommand } from '../command-runner.js';
import type { Program } from '../program.js';

/** Declares `metrics` and `incident open|close|list`; their handlers load only when one of them runs. */
export function declareMetricsCommands(program: Program, run: RunCommand): void {
  program
    .command('metrics')
    .description(
      'delivery figures of a window: deployment frequency, lead time, change failure rate, time to restore, rollbacks, pipelines, zero downtime and the success targets',
    )
    .option('--service <service>', 'only this service (default: all)')
    .option('--env <env>', 'the environment (default: production)')
    .option(
      '--since <since>',
      'start of the window: a duration back from --until (90d, 12h) or a date',
      '90d',
    )
    .option('--until <date>', 'end of the window, a date (default: now)')
    .action((opts, command) =>
      run(command, async (ctx) => (await import('../commands/metrics.js')).metricsCommand(ctx, opts)),
    );

  const incident = program
    .command('incident')
    .description(
      'incidents: failures in an environment, from opened to closed (time to restore, change failure rate)',
    );
  incident
    .command('open')
    .description('open an incident for a service in an environment; prints its id')
    .requiredOption('--service <service>', 'the service that fails')
    .requiredOption('--env <env>', 'the environment it fails in')
    .option('--title <title>', 'what is wrong')
    .action((opts, command) =>
      run(command, async (ctx) => (await import('../commands/incident.js')).incidentOpen(ctx, opts)),
    );
  incident
    .command('close')
    .argument('<id>', 'incident id, as `incident open` printed it')
    .description('close an incident: the service is restored')
    .action((id, _opts, command) =>
      run(command, async (ctx) => (await import('../commands/incident.js')).incidentClose(ctx, id)),
    );
  incident
    .command('list')
    .description('list incidents, oldest first')
    .option('--service <service>', 'only this service')
    .option('--env <env>', 'only this environment')
    .option('--open', 'only open incidents')
    .action((opts, command) =>
      run(command, async (ctx) => (await import('../commands/incident.js')).incidentList(ctx, opts)),
    );
}
