/** `host trust`, `host setup`: the hosts of a fleet, reached over SSH. */
import type { RunCommand } from '../command-runner.js';
import type { Program } from '../program.js';

const hostHandlers = () => import('../commands/host.js');
const hostSetupHandlers = () => import('../commands/host-setup.js');

/** Declares `host` and its subcommands; the SSH code loads only when one of them runs. */
export function declareHostCommands(program: Program, run: RunCommand): void {
  const host = program.command('host').description('the hosts of a fleet, reached over SSH (see `hosts:`)');

  host
    .command('trust')
    .description("show a host's SSH key fingerprints and record them in known_hosts")
    .argument('<host>', 'a host named under `hosts:` in slipway.yaml')
    .option('--known-hosts <file>', 'the known_hosts file to record in (default: the one ssh uses)')
    .option('--fingerprint <sha256>', 'record only if the host offers a key with this fingerprint')
    .action((name, opts, command) =>
      run(command, async (ctx) => (await hostHandlers()).hostTrustCommand(ctx, name, opts)),
    );

  host
    .command('setup')
    .description(
      "install this Slipway in a host's folder over SSH and start its agent (checks, installs, starts, checks the version)",
    )
    .argument('<host>', 'a host named under `hosts:` in slipway.yaml')
    .option(
      '--known-hosts <file>',
      "the known_hosts file to check the host's key against (default: the one ssh uses)",
    )
    .option('--identity <file>', 'the private key to log in with (default: the ones ssh would use)')
    .action((name, opts, command) =>
      run(command, async (ctx) => (await hostSetupHandlers()).hostSetupCommand(ctx, name, opts)),
    );
}
