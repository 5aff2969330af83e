/** `slipway agent run|start|stop|status`: the per-host agent that runs service instances and routes traffic. */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { isIP } from 'node:net';
import { AgentDaemon } from '../../platform/local/agent/agent-daemon.js';
import type { AgentInfo } from '../../platform/local/agent/control-api.js';
import { RouterLink } from '../../platform/local/agent/router-link.js';
import { AgentClient } from '../../platform/local/agent-client.js';
import type { IpcChannel } from '../../platform/local/supervisor/ipc-channel.js';
import { runRouterHost } from '../../platform/local/supervisor/router-host.js';
import { Supervisor } from '../../platform/local/supervisor/supervisor.js';
import { readListenFds, withoutListenEnv } from '../../platform/local/systemd/listen-fds.js';
import type { ServiceStatus } from '../../platform/platform.js';
import { agentCommand } from '../agent-command.js';
import type { CommandContext } from '../context.js';
import { UsageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { stateDirOf } from '../platform.js';
import { projectDirOf } from '../project.js';

/** The processes an agent is made of. */
type AgentRole = 'supervisor' | 'controller' | 'router';

/**
 * Runs one of the agent's processes in the foreground until it is stopped: the supervisor (what
 * `agent start` and systemd launch), which starts the controller and the router as its children.
 */
export async function agentRunCommand(
  ctx: CommandContext,
  options: { stateDir?: string; metricsPort?: string; role?: string; listen?: string },
): Promise<number> {
  const stateDir = options.stateDir ?? stateDirOf(projectDirOf(ctx));
  const metricsPort = options.metricsPort === undefined ? undefined : Number(options.metricsPort);
  if (
    metricsPort !== undefined &&
    (!Number.isInteger(metricsPort) || metricsPort < 0 || metricsPort > 65535)
  ) {
    throw new UsageError(`--metrics-port must be a port number, got '${options.metricsPort}'`);
  }
  const listen = options.listen;
  if (listen !== undefined && isIP(listen) === 0) {
    throw new UsageError(`--listen must be an IP address (127.0.0.1, 0.0.0.0, ::), got '${listen}'`);
  }
  const role = options.role ?? 'supervisor';
  if (role !== 'supervisor' && role !== 'controller' && role !== 'router') {
    throw new UsageError(`--role must be supervisor, controller or router, got '${role}'`);
  }
  const log = (line: string): void => ctx.output.error(`${new Date().toISOString()} ${line}`);
  // A daemon logs what it did not expect and goes on serving: one bad request must not take traffic down.
  process.on('uncaughtException', (error) => log(`unexpected error: ${error.stack ?? error.message}`));
  process.on('unhandledRejection', (error) =>
    log(`unexpected rejection: ${(error as Error)?.stack ?? error}`),
  );
  if (role === 'supervisor') await runSupervisor(ctx, stateDir, { metricsPort, listen }, log);
  else {
    const channel = supervisorChannel(role);
    if (role === 'router') await runRouterHost(channel, (line) => log(`router ${process.pid}: ${line}`));
    else await runController(ctx, stateDir, { metricsPort, listen }, channel, log);
  }
  // The process's work is over: leave now rather than wait for idle pooled sockets and timers to wind down.
  process.exit(ExitCode.Ok);
}

/** What `agent run` passes on to the agent's processes. */
interface RunSettings {
  readonly metricsPort: number | undefined;
  /** The address public ports bind; unset keeps 127.0.0.1. */
  readonly listen: string | undefined;
}

async function runSupervisor(
  ctx: CommandContext,
  stateDir: string,
  { metricsPort, listen }: RunSettings,
  log: (line: string) => void,
): Promise<void> {
  const [node, ...script] = agentCommand();
  // The children must not take systemd's variables (and sockets) for their own.
  const env = withoutListenEnv(ctx.io.env);
  const supervisor = new Supervisor({
    stateDir,
    log,
    listenFds: readListenFds(ctx.io.env, process.pid),
    ...(listen !== undefined ? { listen } : {}),
    spawn: (role) =>
      spawn(
        node as string,
        [
          ...script,
          'agent',
          'run',
          '--role',
          role,
          '--state-dir',
          stateDir,
          ...(role === 'controller' && metricsPort !== undefined
            ? ['--metrics-port', String(metricsPort)]
            : []),
          ...(role === 'controller' && listen !== undefined ? ['--listen', listen] : []),
        ],
        // Their own process groups: a Ctrl-C in the terminal reaches the supervisor, which stops them in order.
        { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env, detached: true },
      ),
  });
  const onSignal = (): void => supervisor.stop();
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  await supervisor.start();
  await supervisor.done;
}

async function runController(
  ctx: CommandContext,
  stateDir: string,
  { metricsPort, listen }: RunSettings,
  channel: IpcChannel,
  log: (line: string) => void,
): Promise<void> {
  const env = withoutListenEnv(ctx.io.env);
  const agent = new AgentDaemon({
    stateDir,
    env,
    log,
    router: new RouterLink(channel),
    ...(metricsPort !== undefined ? { metricsPort } : {}),
    ...(listen !== undefined ? { listen } : {}),
  });
  // A signal stops the agent but leaves instances running for the next agent to adopt; so does
  // the loss of the supervisor, which took the ports with it.
  const onSignal = (): void => void agent.stop({ keepInstances: true });
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  channel.once('disconnect', onSignal);
  await agent.start();
  await agent.done;
  log(`agent ${process.pid} stopped`);
}

/** The IPC channel to the supervisor, which only a process the supervisor started has. */
function supervisorChannel(role: AgentRole): IpcChannel {
  if (!process.send || !process.connected) {
    throw new UsageError(`agent run --role ${role} runs under the supervisor (agent run without --role)`);
  }
  return process as unknown as IpcChannel;
}

/** Starts the agent in the background (no-op when one runs). */
export async function agentStartCommand(ctx: CommandContext): Promise<number> {
  const client = new AgentClient(stateDirOf(projectDirOf(ctx)), agentCommand(), ctx.io.env);
  const status = await client.call<AgentStatus>('GET', '/v1/status');
  report(ctx, status);
  return ExitCode.Ok;
}

/** Stops the agent: drains and stops its instances unless `--keep-instances`. */
export async function agentStopCommand(
  ctx: CommandContext,
  options: { keepInstances?: boolean },
): Promise<number> {
  const client = new AgentClient(stateDirOf(projectDirOf(ctx)), undefined, ctx.io.env);
  const status = await client.tryCall<AgentStatus>('GET', '/v1/status');
  if (!status) {
    if (ctx.output.json) ctx.output.data({ running: false });
    else ctx.output.line('no agent is running');
    return ExitCode.Ok;
  }
  await client.call('POST', '/v1/shutdown', { keepInstances: options.keepInstances === true });
  // The agent is gone once its socket is.
  const deadline = Date.now() + 120_000;
  while (existsSync(client.paths.socket) && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 25));
  if (ctx.output.json) ctx.output.data({ running: false, stopped: status.agent.pid });
  else
    ctx.output.line(
      `agent ${status.agent.pid} stopped${options.keepInstances ? ' (instances left running)' : ' (instances drained and stopped)'}`,
    );
  return ExitCode.Ok;
}

/** Shows whether the agent runs and what it runs. */
export async function agentStatusCommand(ctx: CommandContext): Promise<number> {
  const client = new AgentClient(stateDirOf(projectDirOf(ctx)), undefined, ctx.io.env);
  const status = await client.tryCall<AgentStatus>('GET', '/v1/status');
  if (!status) {
    if (ctx.output.json) ctx.output.data({ running: false });
    else ctx.output.line('no agent is running');
    return ExitCode.Failed;
  }
  report(ctx, status);
  return ExitCode.Ok;
}

interface AgentStatus {
  readonly agent: AgentInfo;
  readonly services: readonly ServiceStatus[];
}

function report(ctx: CommandContext, status: AgentStatus): void {
  if (ctx.output.json) {
    ctx.output.data({ running: true, ...status });
    return;
  }
  const { agent } = status;
  const supervisor = agent.supervisorPid ? ` (supervisor ${agent.supervisorPid})` : '';
  ctx.output.line(`agent ${agent.pid}${supervisor} running since ${agent.startedAt}`);
  if (agent.metricsUrl) ctx.output.line(`metrics: ${agent.metricsUrl}`);
  if (status.services.length === 0) ctx.output.line('no services');
  for (const service of status.services) {
    const where = service.url ?? `not serving: ${service.error ?? 'no endpoint'}`;
    ctx.output.line(`${service.service} (${service.env}) ${where}`);
    for (const revision of service.revisions) {
      ctx.output.line(
        `  ${revision.id}${revision.role ? ` [${revision.role}]` : ''} weight ${revision.weight}% ready ${revision.ready}/${revision.desired}`,
      );
    }
    for (const instance of service.instances) {
      ctx.output.line(
        `    ${instance.id} ${instance.phase}${instance.ready ? ' ready' : ''} restarts ${instance.restarts}${instance.message ? ` - ${instance.message}` : ''}`,
      );
    }
  }
}
