/**
 * The pipeline commands: `run`, `resume`, `rerun`, `runs`, `logs`, `approve`, `reject`, `cancel`
 * and `events` (with `events export` and `events import`, the history as CDEvents). `resume` and
 * `logs` also reach a service's rollout or instances with `--env`.
 */
import type { RunCommand } from '../command-runner.js';
import type { Program } from '../program.js';

const runHandlers = () => import('../commands/run.js');
const runsHandlers = () => import('../commands/runs.js');
const decideHandlers = () => import('../commands/decide.js');

/** Declares the pipeline commands; each handler module loads only when its command runs. */
export function declarePipelineCommands(program: Program, run: RunCommand): void {
  program
    .command('run')
    .description(
      'run the pipeline on this machine (Ctrl-C cancels; exit 0 success, 1 failure, 130 cancelled)',
    )
    .option('--job <id>', 'run only this job and the jobs it needs')
    .option('--stage <name>', 'run only this stage')
    .option('--concurrency <n>', 'most jobs at once (default: number of cores)')
    .action((opts, command) => run(command, async (ctx) => (await runHandlers()).runCommand(ctx, opts)));

  program
    .command('resume')
    .argument('<target>', 'run id, or a service name with --env')
    .description(
      'continue a run whose process was killed (finished jobs are not run again), or with --env resume a paused rollout',
    )
    .option('--concurrency <n>', 'most jobs at once (default: number of cores)')
    .option('--env <env>', 'resume the paused rollout of this service in ENV')
    .option('--region <region>', 'with --env: only the rollout of this region (an environment with hosts)')
    .action((target, opts, command) =>
      run(command, async (ctx) => {
        if (opts.env !== undefined) {
          return (await import('../commands/rollout-control.js')).controlCommand(ctx, 'resume', target, opts);
        }
        return (await runHandlers()).resumeCommand(ctx, target, opts);
      }),
    );

  program
    .command('rerun')
    .argument('<run>', 'run id')
    .description('run a finished run again with the same config')
    .option('--failed', 're-run only failed jobs and their dependents, reusing the rest')
    .option('--concurrency <n>', 'most jobs at once (default: number of cores)')
    .action((runId, opts, command) =>
      run(command, async (ctx) => (await runHandlers()).rerunCommand(ctx, runId, opts)),
    );

  program
    .command('runs')
    .description('list recent runs, newest first')
    .option('--limit <n>', 'how many runs', '20')
    .action((opts, command) => run(command, async (ctx) => (await runsHandlers()).runsCommand(ctx, opts)));

  program
    .command('logs')
    .argument('<target>', 'run id, or a service name with --env')
    .argument('[job]', 'job key, e.g. build or test[node=20]')
    .description("print a run's stored logs (secrets masked), or with --env a service's instance output")
    .option('--follow', 'keep printing new lines until the run ends')
    .option('--env <env>', "print the output of this service's instances in ENV")
    .option('--lines <n>', 'with --env: last lines per instance', '100')
    .option('--instance <id>', 'with --env: only this instance')
    .action((target, job, opts, command) =>
      run(command, async (ctx) => {
        if (opts.env !== undefined) {
          return (await import('../commands/service-logs.js')).serviceLogsCommand(
            ctx,
            target,
            opts.env,
            opts,
          );
        }
        return (await runsHandlers()).logsCommand(ctx, target, job, opts);
      }),
    );

  for (const [decision, name, description] of [
    ['approved', 'approve', 'approve a manual gate; the waiting run continues'],
    ['rejected', 'reject', 'reject a manual gate; the waiting run ends as failed'],
  ] as const) {
    program
      .command(name)
      .argument('<run>', 'run id')
      .argument('<env>', 'environment waiting for approval')
      .description(description)
      .option('--comment <text>', 'why')
      .option(
        '--override <reason>',
        'approve an infrastructure plan a policy denies, with a written reason (admin; audited)',
      )
      .option('--yes', 'approve an infrastructure plan without asking')
      .action((runId, env, opts, command) =>
        run(command, async (ctx) => (await decideHandlers()).decideCommand(ctx, decision, runId, env, opts)),
      );
  }

  program
    .command('cancel')
    .argument('<run>', 'run id')
    .description('cancel a run from another terminal (its always() jobs still run)')
    .action((runId, _opts, command) =>
      run(command, async (ctx) => (await decideHandlers()).cancelCommand(ctx, runId)),
    );

  program
    .command('findings')
    .argument('<run>', 'run id')
    .description("a run's security findings, most severe first, and how each counted in its job's gate")
    .option('--job <job>', 'only the findings of this job')
    .action((runId, opts, command) =>
      run(command, async (ctx) =>
        (await import('../commands/findings.js')).findingsCommand(ctx, runId, opts),
      ),
    );

  const events = program
    .command('events')
    .description('print the delivery event log (runs, jobs, approvals, deployments)')
    .option('--type <type...>', 'only these event types, e.g. service.deployed')
    .option('--service <name>', 'only this service')
    .option('--env <name>', 'only this environment')
    .option('--run <id>', 'only this run')
    .option('--limit <n>', 'most events', '200')
    .action((opts, command) =>
      run(command, async (ctx) => (await import('../commands/events.js')).eventsCommand(ctx, opts)),
    );
  const cdevents = () => import('../commands/events-cdevents.js');
  events
    .command('export')
    .description(
      'write the delivery history (deploys, rollbacks, incidents, pipeline runs, commits) as CDEvents v0.4.1, one JSON object per line',
    )
    .option(
      '--since <since>',
      'start of the window: a duration back from --until (90d, 12h) or a date',
      '90d',
    )
    .option('--until <date>', 'end of the window, a date (default: now)')
    .option('--service <name>', 'only this service')
    .option('--env <name>', 'only this environment (and its regions)')
    .action((opts, command) => {
      // Commander gives a parent's options wherever they stand: `--service` and `--env` after
      // `export` land on the listing's options of the same names.
      const listing = events.opts();
      const filter = { ...opts, service: opts.service ?? listing.service, env: opts.env ?? listing.env };
      return run(command, async (ctx) => (await cdevents()).eventsExport(ctx, filter));
    });
  events
    .command('import')
    .argument('<file>', 'a CDEvents file, one JSON event per line (- reads stdin)')
    .description(
      'import a CDEvents v0.4.1 history: every line is checked first, and a file with a bad line imports nothing',
    )
    .action((file, _opts, command) =>
      run(command, async (ctx) => (await cdevents()).eventsImport(ctx, file)),
    );
}
