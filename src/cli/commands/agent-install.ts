/** `slipway agent install`: writes the systemd units that run the project's agent at boot, its ports held by systemd. */
import { statSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { type AgentPort, planAgentUnits, type UnitScope } from '../../platform/local/systemd/agent-units.js';
import { enableSteps } from '../../platform/local/systemd/enable-steps.js';
import { SystemdUnitError } from '../../platform/local/systemd/errors.js';
import { installAgentUnits } from '../../platform/local/systemd/install-agent-units.js';
import { agentCommand } from '../agent-command.js';
import type { CommandContext } from '../context.js';
import { ExitCode } from '../exit-codes.js';
import { stateDirOf } from '../platform.js';
import { loadProject } from '../project.js';

/** Options of `agent install`. */
export interface AgentInstallOptions {
  readonly user?: boolean;
  readonly dir?: string;
  readonly name?: string;
}

/** Where systemd loads units of `scope` from. */
function unitDirOf(scope: UnitScope, env: NodeJS.ProcessEnv): string {
  if (scope === 'system') return '/etc/systemd/system';
  const config = env.XDG_CONFIG_HOME?.trim() || join(env.HOME?.trim() || homedir(), '.config');
  return join(config, 'systemd', 'user');
}

function currentUser(): string | undefined {
  try {
    return userInfo().username;
  } catch {
    return undefined;
  }
}

/** Writes the units and prints them with the commands that enable them. */
export async function agentInstallCommand(
  ctx: CommandContext,
  options: AgentInstallOptions,
): Promise<number> {
  const { config, projectDir } = await loadProject(ctx);
  if (Object.keys(config.services).length === 0)
    throw new SystemdUnitError(
      'NO_SERVICES',
      'the project has no services: an agent would have nothing to run',
    );
  const scope: UnitScope = options.user ? 'user' : 'system';
  const name = options.name ?? config.project.name;
  const ports: AgentPort[] = Object.values(config.environments).flatMap((env) =>
    env.port === undefined ? [] : [{ env: env.name, port: env.port }],
  );
  const owner = statSync(projectDir);
  const units = planAgentUnits({
    name,
    projectDir,
    stateDir: stateDirOf(projectDir),
    command: agentCommand(),
    scope,
    // The agent writes the project's state folder: it runs as the folder's owner, not as root.
    ...(scope === 'system' && owner.uid !== 0 ? { account: { uid: owner.uid, gid: owner.gid } } : {}),
    ...(ctx.io.env.PATH ? { path: ctx.io.env.PATH } : {}),
    ports,
  });
  const unitDir = unitDirOf(scope, ctx.io.env);
  const dir = options.dir === undefined ? unitDir : resolve(ctx.io.cwd, options.dir);
  const installed = installAgentUnits(dir, units, { dir: projectDir, name });
  const user = currentUser();
  const steps = enableSteps({
    scope,
    units,
    dir,
    unitDir,
    stale: installed.stale,
    ...(user ? { user } : {}),
  });
  const unportedEnvs = Object.values(config.environments)
    .filter((env) => env.port === undefined)
    .map((env) => env.name);

  if (ctx.output.json) {
    ctx.output.data({
      scope,
      service: { unit: units.service.unit, path: join(dir, units.service.unit) },
      sockets: units.sockets.map((s) => ({
        unit: s.unit,
        path: join(dir, s.unit),
        env: s.env,
        port: s.port,
      })),
      stale: installed.stale,
      unportedEnvironments: unportedEnvs,
      steps,
    });
    return ExitCode.Ok;
  }
  ctx.output.line(`wrote ${join(dir, units.service.unit)} (the agent, restarted when it dies)`);
  for (const socket of units.sockets)
    ctx.output.line(
      `wrote ${join(dir, socket.unit)} (holds 127.0.0.1:${socket.port} of ${socket.env} across agent restarts)`,
    );
  for (const env of unportedEnvs)
    ctx.output.line(
      `note: environment ${env} has no port: its router gets a free port at each start, with no socket`,
    );
  for (const unit of installed.stale)
    ctx.output.line(`note: ${join(dir, unit)} is for a port the project no longer has`);
  ctx.output.line('');
  ctx.output.line(
    scope === 'system'
      ? 'to run the agent under systemd now and at every boot, as root:'
      : 'to run the agent under systemd now and at every boot:',
  );
  for (const step of steps) ctx.output.line(`  ${step}`);
  ctx.output.line('');
  ctx.output.line(`status: systemctl${scope === 'user' ? ' --user' : ''} status ${units.service.unit}`);
  return ExitCode.Ok;
}
