/** The root `slipway` command: its description, global options and help text, and where commander writes. */
import { Command, Option } from '@commander-js/extra-typings';
import { slipwayVersion } from '../package/version.js';
import type { CliIo } from './context.js';

/**
 * Creates the root command before any family declares its commands, which inherit its settings:
 * errors are thrown to the boundary instead of exiting, and help goes through `io`.
 */
export function createProgram(io: CliIo) {
  return new Command('slipway')
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
    )
    .addHelpText(
      'after',
      '\nWith --server (or $SLIPWAY_SERVER): run, rerun, runs, logs RUN, approve, reject, cancel, events, deploy,\n' +
        'promote, abort, rollback, status, history, releases, release show, token and flags use the server API with\n' +
        '$SLIPWAY_TOKEN; validate, schema and init still run locally; plan, health, pause, resume, agent, host,\n' +
        'edge, failover, release (publish, download), logs SERVICE --env, server and demo run locally only and exit 2. A refused token\n' +
        '(401, 403), an unreachable server or a server error exits 1; a request the server rejects (400, 404,\n' +
        '409, 422) exits 2.',
    );
}

/** The root command as the command families receive it, typed with the global options. */
export type Program = ReturnType<typeof createProgram>;
