/**
 * Plans the systemd units that run a project's agent: one service, plus one socket unit per fixed
 * port. systemd binds each port and holds it while the agent restarts, so a crash or a reboot never
 * refuses a connection: the kernel queues it until the new agent accepts. Pure: data in, file text out.
 */
import { socketName } from './listen-fds.js';
import { environmentAssignment, execLine, unitPath, unitText } from './unit-syntax.js';

/** Which systemd instance runs the agent: the system manager (a boot starts it) or the user's own. */
export type UnitScope = 'system' | 'user';

/** A port the agent's router serves, by the environment that sets it. */
export interface AgentPort {
  readonly env: string;
  readonly port: number;
}

/** Everything the units depend on. */
export interface AgentUnitsSpec {
  /** Names the units: `slipway-<name>-agent.service`, `slipway-<name>-<env>.socket`. */
  readonly name: string;
  /** Shown in the descriptions and recorded in each file, so another project's units are never overwritten. */
  readonly projectDir: string;
  readonly stateDir: string;
  /** The argv that runs Slipway (node and its bin/slipway.js); `agent run` is appended. */
  readonly command: readonly string[];
  readonly scope: UnitScope;
  /** System units: the account the agent runs as (the project folder's owner); absent runs it as root. */
  readonly account?: { readonly uid: number; readonly gid: number };
  /** PATH of the agent and so of the service instances it starts. */
  readonly path?: string;
  readonly ports: readonly AgentPort[];
}

/** One unit file to write. */
export interface UnitFile {
  /** The unit name, which is also the file name. */
  readonly unit: string;
  readonly text: string;
}

/** A socket unit and the port it holds. */
export interface SocketUnitFile extends UnitFile {
  readonly env: string;
  readonly port: number;
}

/** The units of one project's agent. */
export interface AgentUnits {
  readonly service: UnitFile;
  readonly sockets: readonly SocketUnitFile[];
}

/** The line that records which project a unit file belongs to. */
export const PROJECT_MARKER = '# slipway-project=';

/** The host the sockets bind: the agent's routers serve loopback only, and so do their sockets. */
const LISTEN_HOST = '127.0.0.1';

/** Turns a project name into the part of a unit name systemd accepts (`[A-Za-z0-9:_.\\-]`). */
export function unitSlug(name: string): string {
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9_.-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
    .slice(0, 64);
  return slug || 'project';
}

/** The name of the agent's service unit. */
export function serviceUnitName(name: string): string {
  return `slipway-${unitSlug(name)}-agent.service`;
}

/** The prefix of every unit of the project: stale socket units are found by it. */
export function unitPrefix(name: string): string {
  return `slipway-${unitSlug(name)}-`;
}

function header(spec: AgentUnitsSpec): string[] {
  return [
    `# Written by \`slipway agent install\` for ${spec.projectDir}.`,
    '# Run it again after changing ports; changes made here are overwritten then (use `systemctl edit`).',
    `${PROJECT_MARKER}${spec.projectDir}`,
  ];
}

function socketUnit(spec: AgentUnitsSpec, service: string, { env, port }: AgentPort): SocketUnitFile {
  const unit = `${unitPrefix(spec.name)}${env}.socket`;
  const lines = [
    ...header(spec),
    '[Unit]',
    `Description=${unitText('the project name', `Slipway ${spec.name}: port ${port} of environment ${env}`)}`,
    '',
    '[Socket]',
    `ListenStream=${LISTEN_HOST}:${port}`,
    // The agent finds the socket of each port by this name (LISTEN_FDNAMES).
    `FileDescriptorName=${socketName(env, port)}`,
    `Service=${service}`,
    '',
    '[Install]',
    'WantedBy=sockets.target',
  ];
  return { unit, env, port, text: `${lines.join('\n')}\n` };
}

/** The service and socket units of a project's agent. */
export function planAgentUnits(spec: AgentUnitsSpec): AgentUnits {
  const service = serviceUnitName(spec.name);
  const ports = [...spec.ports].sort((a, b) => a.port - b.port);
  const sockets = ports.map((port) => socketUnit(spec, service, port));
  const socketNames = sockets.map((s) => s.unit).join(' ');
  const lines = [
    ...header(spec),
    '[Unit]',
    `Description=${unitText('the project name', `Slipway agent of ${spec.name}`)}`,
    ...(sockets.length > 0 ? [`Wants=${socketNames}`, `After=${socketNames}`] : []),
    ...(spec.scope === 'system' ? ['After=network.target'] : []),
    // Never give up restarting: a socket unit whose service hit the start limit closes its port.
    'StartLimitIntervalSec=0',
    '',
    '[Service]',
    'Type=simple',
    `WorkingDirectory=${unitPath('the project folder', spec.projectDir)}`,
    `ExecStart=${execLine([...spec.command, 'agent', 'run', '--state-dir', spec.stateDir])}`,
    ...sockets.map((s) => `Sockets=${s.unit}`),
    // Instances run in their own process groups and outlive the agent: the restarted agent adopts
    // them. The default (kill the whole control group) would take every instance down with it.
    'KillMode=process',
    // A crash or kill -9 restarts it; `slipway agent stop` (exit 0) leaves it stopped until the
    // next connection to one of its sockets starts it again.
    'Restart=on-failure',
    'RestartSec=100ms',
    ...(spec.path ? [`Environment=${environmentAssignment('PATH', spec.path)}`] : []),
    ...(spec.scope === 'system' && spec.account
      ? [`User=${spec.account.uid}`, `Group=${spec.account.gid}`]
      : []),
    '',
    '[Install]',
    `WantedBy=${spec.scope === 'system' ? 'multi-user.target' : 'default.target'}`,
  ];
  return { service: { unit: service, text: `${lines.join('\n')}\n` }, sockets };
}
