/** Where an agent keeps its socket, state, flags, pid files and logs: `<stateDir>/agent/`. */
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The files of one agent. */
export interface AgentPaths {
  readonly stateDir: string;
  readonly home: string;
  readonly socket: string;
  readonly stateFile: string;
  /** The flag set the agent serves over OFREP, kept for the next agent. */
  readonly flagsFile: string;
  readonly pidFile: string;
  /** The supervisor's pid and start time (one supervisor per state directory). */
  readonly supervisorPidFile: string;
  readonly logFile: string;
  readonly logsDir: string;
}

/** Unix socket paths longer than this do not fit in sockaddr_un on Linux. */
const MAX_SOCKET_PATH = 100;

/** The agent paths for a project's `.slipway` state directory. */
export function agentPaths(stateDir: string): AgentPaths {
  const home = join(stateDir, 'agent');
  let socket = join(home, 'agent.sock');
  if (socket.length > MAX_SOCKET_PATH) {
    const digest = createHash('sha256').update(home).digest('hex').slice(0, 16);
    socket = join(tmpdir(), `slipway-agent-${digest}.sock`);
  }
  return {
    stateDir,
    home,
    socket,
    stateFile: join(home, 'state.json'),
    flagsFile: join(home, 'flags.json'),
    pidFile: join(home, 'agent.pid'),
    supervisorPidFile: join(home, 'supervisor.pid'),
    logFile: join(home, 'agent.log'),
    logsDir: join(home, 'logs'),
  };
}
