/**
 * The CLI boundary: parses arguments, wires commands, and turns every error into a message
 * and an exit code. User mistakes never print a stack trace; internal errors say they are bugs.
 */
import { Command, Option } from 'commander';
import type { DeployOptions } from './commands/deploy.js';
import type { EventsOptions } from './commands/events.js';
import type { ReleaseOptions } from './commands/release.js';
import type { RunOptions } from './commands/run.js';
import { type CliIo, commandContext, type GlobalOptions } from './context.js';
import { reportError } from './error-boundary.js';
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
      const ctx = commandContext(io, globals);
      if (ctx.remote) (await import('./remote/command-policy.js')).checkRemotePolicy(ctx, command);
      exitCode = await handler(ctx, opts, args);
    };
  program
    .description(
      'Self-hosted continuous delivery: pipelines, progressive rollouts and releases from one slipway.yaml.',
    )
    .version(slipwayVersion(), '-V, --version', 'print the version')
    .addOption(new Option('-f, --file <path>', 'config file (default: ./slipway.yaml, then ./slipway.yml)'))
    .addOption(new Option('--json', 'machine-readable output on stdout (NDJSON for event streams)'))
    .addOption(
      new Option(
        '--server <url>',
        'use the API of the Slipway server at URL instead of the local engines (default: $SLIPWAY_SERVER; token from $SLIPWAY_TOKEN)',
      ),
    )
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

  program.addHelpText(
    'after',
    '\nWith --server (or $SLIPWAY_SERVER): run, rerun, runs, logs RUN, approve, reject, cancel, events, deploy,\n' +
      'promote, abort, rollback, status, history, releases, release show and token use the server API with\n' +
      '$SLIPWAY_TOKEN; validate, schema and init still run locally; plan, health, pause, resume, agent, release\n' +
      '(publish, download), logs SERVICE --env, server and demo run locally only and exit 2. A refused token\n' +
      '(401, 403), an unreachable server or a server error exits 1; a request the server rejects (400, 404,\n' +
      '409, 422) exits 2.',
  );

  // Each command's module is imported only when it runs, so `--help` and `validate` stay fast.
  program
    .command('validate')
    .description('check slipway.yaml and report every problem as file:line:col')
    .action(wrap(async (ctx) => (await import('./commands/validate.js')).validateCommand(ctx)));
  program
    .command('schema')
    .description('print the JSON Schema of slipway.yaml (for editor completion)')
    .action(wrap(async (ctx) => (await import('./commands/schema.js')).schemaCommand(ctx)));
  program
    .command('init')
    .description('write a commented starter slipway.yaml, filled from package.json scripts')
    .option('--force', 'overwrite an existing file')
    .action(
      wrap(async (ctx, opts) =>
        (await import('./commands/init.js')).initCommand(ctx, opts as { force?: boolean }),
      ),
    );

  program
    .command('run')
    .description(
      'run the pipeline on this machine (Ctrl-C cancels; exit 0 success, 1 failure, 130 cancelled)',
    )
    .option('--job <id>', 'run only this job and the jobs it needs')
    .option('--stage <name>', 'run only this stage')
    .option('--concurrency <n>', 'most jobs at once (default: number of cores)')
    .action(
      wrap(async (ctx, opts) => (await import('./commands/run.js')).runCommand(ctx, opts as RunOptions)),
    );
  program
    .command('resume')
    .argument('<target>', 'run id, or a service name with --env')
    .description(
      'continue a run whose process was killed (finished jobs are not run again), or with --env resume a paused rollout',
    )
    .option('--concurrency <n>', 'most jobs at once (default: number of cores)')
    .option('--env <env>', 'resume the paused rollout of this service in ENV')
    .action(
      wrap(async (ctx, opts, args) => {
        const o = opts as { concurrency?: string; env?: string };
        if (o.env !== undefined) {
          return (await import('./commands/rollout-control.js')).controlCommand(
            ctx,
            'resume',
            args[0] ?? '',
            o,
          );
        }
        return (await import('./commands/run.js')).resumeCommand(ctx, args[0], o);
      }),
    );
  program
    .command('rerun')
    .argument('<run>', 'run id')
    .description('run a finished run again with the same config')
    .option('--failed', 're-run only failed jobs and their dependents, reusing the rest')
    .option('--concurrency <n>', 'most jobs at once (default: number of cores)')
    .action(
      wrap(async (ctx, opts, args) =>
        (await import('./commands/run.js')).rerunCommand(
          ctx,
          args[0],
          opts as { failed?: boolean; concurrency?: string },
        ),
      ),
    );
  program
    .command('runs')
    .description('list recent runs, newest first')
    .option('--limit <n>', 'how many runs', '20')
    .action(
      wrap(async (ctx, opts) =>
        (await import('./commands/runs.js')).runsCommand(ctx, opts as { limit?: string }),
      ),
    );
  program
    .command('logs')
    .argument('<target>', 'run id, or a service name with --env')
    .argument('[job]', 'job key, e.g. build or test[node=20]')
    .description("print a run's stored logs (secrets masked), or with --env a service's instance output")
    .option('--follow', 'keep printing new lines until the run ends')
    .option('--env <env>', "print the output of this service's instances in ENV")
    .option('--lines <n>', 'with --env: last lines per instance', '100')
    .option('--instance <id>', 'with --env: only this instance')
    .action(
      wrap(async (ctx, opts, args) => {
        const o = opts as { follow?: boolean; env?: string; lines?: string; instance?: string };
        if (o.env !== undefined) {
          return (await import('./commands/service-logs.js')).serviceLogsCommand(
            ctx,
            args[0] ?? '',
            o.env,
            o,
          );
        }
        return (await import('./commands/runs.js')).logsCommand(ctx, args[0], args[1], o);
      }),
    );
  program
    .command('approve')
    .argument('<run>', 'run id')
    .argument('<env>', 'environment waiting for approval')
    .description('approve a manual gate; the waiting run continues')
    .option('--comment <text>', 'why')
    .action(
      wrap(async (ctx, opts, args) =>
        (await import('./commands/decide.js')).decideCommand(
          ctx,
          'approved',
          args[0],
          args[1],
          opts as { comment?: string },
        ),
      ),
    );
  program
    .command('reject')
    .argument('<run>', 'run id')
    .argument('<env>', 'environment waiting for approval')
    .description('reject a manual gate; the waiting run ends as failed')
    .option('--comment <text>', 'why')
    .action(
      wrap(async (ctx, opts, args) =>
        (await import('./commands/decide.js')).decideCommand(
          ctx,
          'rejected',
          args[0],
          args[1],
          opts as { comment?: string },
        ),
      ),
    );
  program
    .command('cancel')
    .argument('<run>', 'run id')
    .description('cancel a run from another terminal (its always() jobs still run)')
    .action(
      wrap(async (ctx, _opts, args) => (await import('./commands/decide.js')).cancelCommand(ctx, args[0])),
    );
  program
    .command('events')
    .description('print the delivery event log (runs, jobs, approvals, deployments)')
    .option('--type <type...>', 'only these event types, e.g. service.deployed')
    .option('--service <name>', 'only this service')
    .option('--env <name>', 'only this environment')
    .option('--run <id>', 'only this run')
    .option('--limit <n>', 'most events', '200')
    .action(
      wrap(async (ctx, opts) =>
        (await import('./commands/events.js')).eventsCommand(ctx, opts as EventsOptions),
      ),
    );
  program
    .command('plan')
    .argument('<service>', 'service id from slipway.yaml')
    .description('show the steps a deploy would take (weights and instances at each), changing nothing')
    .option('--env <env>', 'environment to plan the deploy for')
    .action(
      wrap(async (ctx, opts, args) =>
        (await import('./commands/plan.js')).planCommand(ctx, args[0] ?? '', opts as { env?: string }),
      ),
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
    .action(
      wrap(async (ctx, opts, args) =>
        (await import('./commands/deploy.js')).deployCommand(ctx, args[0] ?? '', opts as DeployOptions),
      ),
    );
  for (const [name, description] of [
    ['promote', 'promote a paused or holding rollout to its next step (--full: straight to 100%)'],
    ['pause', 'pause a rollout in progress where it is'],
    ['abort', 'abort a rollout: traffic returns to the stable revision and the new one stops'],
  ] as const) {
    const command = program
      .command(name)
      .argument('<service>', 'service id')
      .description(description)
      .option('--env <env>', 'environment');
    if (name === 'promote') command.option('--full', 'skip the remaining steps and analysis');
    command.action(
      wrap(async (ctx, opts, args) =>
        (await import('./commands/rollout-control.js')).controlCommand(
          ctx,
          name,
          args[0] ?? '',
          opts as { env?: string; full?: boolean },
        ),
      ),
    );
  }
  program
    .command('rollback')
    .argument('<service>', 'service id')
    .description('go back to the previous revision (or --to REVISION), config included, in one switch')
    .option('--env <env>', 'environment')
    .option('--to <revision>', 'revision id, or a release tag such as v1.2.0')
    .action(
      wrap(async (ctx, opts, args) =>
        (await import('./commands/rollout-control.js')).rollbackCommand(
          ctx,
          args[0] ?? '',
          opts as { env?: string; to?: string },
        ),
      ),
    );
  program
    .command('status')
    .argument('[service]', 'service id (default: every service)')
    .description('phase, step, weights, instances per revision and the latest measurements')
    .option('--env <env>', 'environment')
    .action(
      wrap(async (ctx, opts, args) =>
        (await import('./commands/rollout-status.js')).statusCommand(ctx, args[0], opts as { env?: string }),
      ),
    );
  program
    .command('history')
    .argument('<service>', 'service id')
    .description('every rollout of a service in an environment: revision, who, when, outcome')
    .option('--env <env>', 'environment')
    .option('--limit <n>', 'most rollouts', '50')
    .action(
      wrap(async (ctx, opts, args) =>
        (await import('./commands/rollout-status.js')).historyCommand(
          ctx,
          args[0] ?? '',
          opts as { env?: string; limit?: string },
        ),
      ),
    );
  program
    .command('health')
    .argument('[service]', 'service id (default: every service)')
    .description('show instances, probes and dependency checks with latency (exit 1 when unhealthy)')
    .option('--env <env>', 'environment')
    .action(
      wrap(async (ctx, opts, args) =>
        (await import('./commands/health.js')).healthCommand(ctx, args[0], opts as { env?: string }),
      ),
    );
  const agent = program
    .command('agent')
    .description('the per-host agent that runs service instances, probes them and routes their traffic');
  agent
    .command('start')
    .description('start the agent in the background (the CLI also starts it when needed)')
    .action(wrap(async (ctx) => (await import('./commands/agent.js')).agentStartCommand(ctx)));
  agent
    .command('stop')
    .description('drain and stop every instance, then stop the agent')
    .option('--keep-instances', 'leave instances running for the next agent to adopt')
    .action(
      wrap(async (ctx, opts) =>
        (await import('./commands/agent.js')).agentStopCommand(ctx, opts as { keepInstances?: boolean }),
      ),
    );
  agent
    .command('status')
    .description(
      'show whether the agent runs, its services, revisions and instances (exit 1 when not running)',
    )
    .action(wrap(async (ctx) => (await import('./commands/agent.js')).agentStatusCommand(ctx)));
  agent
    .command('run', { hidden: true })
    .description('run the agent in the foreground')
    .option('--state-dir <dir>', "the project's .slipway directory")
    .option('--metrics-port <port>', 'loopback port of the Prometheus endpoint (default: any free port)')
    .action(
      wrap(async (ctx, opts) =>
        (await import('./commands/agent.js')).agentRunCommand(
          ctx,
          opts as { stateDir?: string; metricsPort?: string },
        ),
      ),
    );
  const release = program
    .command('release')
    .description(
      'version the project from its commits: changelog, annotated tag, checksummed assets (--dry-run changes nothing)',
    )
    .option('--dry-run', 'print the plan (previous, next, bump, commits, notes) and change nothing')
    .option('--prerelease <id>', 'make a prerelease such as 1.3.0-rc.1 (then rc.2 on the next run)')
    .option('--package <name>', 'release this package of release.packages')
    .action(
      wrap(async (ctx, opts) =>
        (await import('./commands/release.js')).releaseCommand(ctx, opts as ReleaseOptions),
      ),
    );
  release
    .command('show')
    .argument('<tag>', 'release tag, e.g. v1.2.0')
    .description("print a release's notes, assets and service revisions")
    .action(
      wrap(async (ctx, _opts, args) =>
        (await import('./commands/release.js')).releaseShowCommand(ctx, args[0] ?? ''),
      ),
    );
  release
    .command('download')
    .argument('<tag>', 'release tag, e.g. v1.2.0')
    .description("copy a release's assets out, refusing any whose checksum does not match SHA256SUMS")
    .option('--out <dir>', 'where to write them (default: ./<tag>)')
    .action(
      wrap(async (ctx, opts, args) =>
        (await import('./commands/release.js')).releaseDownloadCommand(
          ctx,
          args[0] ?? '',
          opts as { out?: string },
        ),
      ),
    );
  program
    .command('releases')
    .description('list published releases, newest first')
    .action(wrap(async (ctx) => (await import('./commands/release.js')).releasesCommand(ctx)));
  program
    .command('server')
    .description(
      'serve the HTTP API (runs, approvals, deploys, events, audit) over this project until Ctrl-C',
    )
    .option('--port <port>', 'TCP port (0: any free port)', '7070')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--tls-cert <file>', 'PEM certificate (chain) to serve HTTPS with; needs --tls-key')
    .option('--tls-key <file>', 'PEM private key of --tls-cert')
    .option(
      '--insecure',
      'allow a non-loopback host without TLS settings (tokens cross the network in clear text)',
    )
    .option('--branch <branch>', 'branch whose GitHub pushes start runs (default: the current branch)')
    .option(
      '--webhook-secret-file <file>',
      'file holding the GitHub webhook secret (default: $SLIPWAY_WEBHOOK_SECRET)',
    )
    .action(
      wrap(async (ctx, opts) =>
        (await import('./commands/server.js')).serverCommand(
          ctx,
          opts as {
            port?: string;
            host?: string;
            insecure?: boolean;
            tlsCert?: string;
            tlsKey?: string;
            branch?: string;
            webhookSecretFile?: string;
          },
        ),
      ),
    );
  const token = program
    .command('token')
    .description('API tokens of the server: shown once, stored only as sha256 hashes');
  token
    .command('create')
    .description('create a token and print it once (--json: {"name","role","token"})')
    .requiredOption('--role <role>', 'viewer, deployer, approver or admin')
    .requiredOption('--name <name>', 'unique name, recorded as the actor of what the token does')
    .action(
      wrap(async (ctx, opts) =>
        (await import('./commands/token.js')).tokenCreateCommand(
          ctx,
          opts as { role?: string; name?: string },
        ),
      ),
    );
  token
    .command('list')
    .description('list tokens: name, role, creator, last use, revocation (never the token)')
    .action(wrap(async (ctx) => (await import('./commands/token.js')).tokenListCommand(ctx)));
  token
    .command('revoke')
    .argument('<name>', 'token name')
    .description('revoke a token; requests with it get 401 from then on')
    .action(
      wrap(async (ctx, _opts, args) =>
        (await import('./commands/token.js')).tokenRevokeCommand(ctx, args[0] ?? ''),
      ),
    );
  const project = program
    .command('project')
    .description('projects the server builds: pushes to their branch (GitHub webhook) start their pipeline');
  project
    .command('add')
    .argument('<name>', 'project name')
    .description('register a repository; the server clones it on its first push')
    .requiredOption(
      '--repo <path-or-url>',
      'local path, or https, ssh, git or file URL, or git@host:owner/name',
    )
    .option('--branch <branch>', 'branch whose pushes start runs', 'main')
    .action(
      wrap(async (ctx, opts, args) =>
        (await import('./commands/projects.js')).projectAddCommand(
          ctx,
          args[0] ?? '',
          opts as { repo?: string; branch?: string },
        ),
      ),
    );
  project
    .command('list')
    .description('list registered projects: name, branch, repository')
    .action(wrap(async (ctx) => (await import('./commands/projects.js')).projectListCommand(ctx)));
  project
    .command('remove')
    .argument('<name>', 'project name')
    .description('unregister a project (its runs and events stay)')
    .action(
      wrap(async (ctx, _opts, args) =>
        (await import('./commands/projects.js')).projectRemoveCommand(ctx, args[0] ?? ''),
      ),
    );
  program
    .command('demo')
    .description("run the example project's pipeline end to end")
    .action(wrap(async (ctx) => (await import('./commands/demo.js')).demoCommand(ctx)));

  const configure = (cmd: Command): void => {
    for (const sub of cmd.commands) {
      sub
        .exitOverride()
        .configureOutput({ writeOut: (t) => io.stdout.write(t), writeErr: (t) => io.stderr.write(t) });
      configure(sub);
    }
  };
  configure(program);

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    return reportError(error, io);
  }
}

function processIo(): CliIo {
  return { cwd: process.cwd(), env: process.env, stdout: process.stdout, stderr: process.stderr };
}
