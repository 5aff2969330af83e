/** `agent start|stop|status` (and the hidden `agent run`): the per-host agent that runs service instances. */
import type { RunCommand } from '../command-runner.js';
import type { Program } from '../program.js';

const agentHandlers = () => import('../commands/agent.js');
const agentInstallHandler = () => import('../commands/agent-install.js');

/** Declares `agent` and its subcommands; the agent's code loads only when one of them runs. */
export function declareAgentCommands(program: Program, run: RunCommand): void {
  const agent = program
    .command('agent')
    .description('the per-host agent that runs service instances, probes them and routes their traffic');

  agent
    .command('start')
    .description('start the agent in the background (the CLI also starts it when needed)')
    .action((_opts, command) => run(command, async (ctx) => (await agentHandlers()).agentStartCommand(ctx)));

  agent
    .command('stop')
    .description('drain and stop every instance, then stop the agent')
    .option('--keep-instances', 'leave instances running for the next agent to adopt')
    .action((opts, command) =>
      run(command, async (ctx) => (await agentHandlers()).agentStopCommand(ctx, opts)),
    );

  agent
    .command('status')
    .description(
      'show whether the agent runs, its services, revisions and instances (exit 1 when not running)',
    )
    .action((_opts, command) => run(command, async (ctx) => (await agentHandlers()).agentStatusCommand(ctx)));

  agent
    .command('install')
    .description(
      "write systemd units that run the project's agent at boot and hold its ports open across restarts",
    )
    .option('--user', 'write user units (systemctl --user) instead of system units')
    .option('--dir <dir>', 'write the units into this folder instead of the one systemd reads')
    .option('--name <name>', 'the name in the unit names (default: the project name)')
    .action((opts, command) =>
      run(command, async (ctx) => (await agentInstallHandler()).agentInstallCommand(ctx, opts)),
    );

  // The agent client starts the daemon with this; users run `agent start`, so it stays out of the help.
  agent
    .command('run', { hidden: true })
    .description('run the agent in the foreground: the supervisor, which runs the agent and the router')
    .option('--state-dir <dir>', "the project's .slipway directory")
    .option('--metrics-port <port>', 'loopback port of the Prometheus endpoint (default: any free port)')
    .option(
      '--listen <address>',
      "the address services' public ports bind (default 127.0.0.1; the control API stays on its unix socket)",
    )
    .option(
      '--role <role>',
      'supervisor (default: holds the ports, runs the other two), controller (the agent) or router',
    )
    .action((opts, command) =>
      run(command, async (ctx) => (await agentHandlers()).agentRunCommand(ctx, opts)),
    );
}
