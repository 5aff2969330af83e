/** `slipway agent run|start|stop|status`: the per-host agent that runs service instances and routes traffic. */
import { existsSync } from 'node:fs';
import { AgentDaemon } from '../../platform/local/agent/agent-daemon.js';
import type { AgentInfo } from '../../platform/local/agent/control-api.js';
import { AgentClient } from '../../platform/local/agent-client.js';
import type { ServiceStatus } from '../../platform/platform.js';
import type { CommandContext } from '../context.js';
import { UsageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { agentCommand, stateDirOf } from '../platform.js';
import { projectDirOf } from '../project.js';

/** Runs the agent in the foreground until it is stopped (what `agent start` launches). */
export async function agentRunCommand(
  ctx: CommandContext,
  options: { stateDir?: string; metricsPort?: string },
): Promise<number> {
  const stateDir = options.stateDir ?? stateDirOf(projectDirOf(ctx));
  const metricsPort = options.metricsPort === undefined ? undefined : Number(options.metricsPort);
  if (
    metricsPort !== undefined &&
    (!Number.isInteger(metricsPort) || metricsPort < 0 || metricsPort > 65535)
  ) {
    throw new UsageError(`--metrics-port must be a port number, got '${options.metricsPort}'`);
  }
  const log = (line: string): void => ctx.output.error(`${new Date().toISOString()} ${line}`);
  const env = Object.fromEntries(
    Object.entries(ctx.io.env).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
  const agent = new AgentDaemon({
    stateDir,
    env,
    log,
    ...(metricsPort !== undefined ? { metricsPort } : {}),
  });
  // A daemon logs what it did not expect and goes on serving: one bad request must not take traffic down.
  process.on('uncaughtException', (error) => log(`unexpected error: ${error.stack ?? error.message}`));
  process.on('unhandledRejection', (error) =>
    log(`unexpected rejection: ${(error as Error)?.stack ?? error}`),
  );
  // A signal stops the agent but leaves instances running for the next agent to adopt.
  const onSignal = (): void => void agent.stop({ keepInstances: true });
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  await agent.start();
  await agent.done;
  log(`agent ${process.pid} stopped`);
  // The daemon's work is over: leave now rather than wait for idle pooled sockets and timers to wind down.
  process.exit(ExitCode.Ok);
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
  ctx.output.line(`agent ${agent.pid} running since ${agent.startedAt}`);
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
