/**
 * The agent of a host reached over SSH: `<dir>/state` is its state directory, and it runs the
 * Slipway `slipway host setup` installed at `<dir>/current`. `ensureRemoteAgent` starts it there
 * when it does not run (detached, so it outlives the SSH session), restarts it when it runs another
 * installed Slipway than `current`, and forwards a local unix socket to its control socket through
 * the transport's one connection: the control API never listens on TCP.
 */
import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ResolvedHost } from '../../config/resolved.js';
import { AgentClient } from '../local/agent-client.js';
import { describeTarget } from '../ssh/ssh-target.js';
import type { SshTransport } from '../ssh/ssh-transport.js';
import { RemoteHostError } from './remote-errors.js';

/** How to reach the agent. */
export interface RemoteAgentOptions {
  /** The address services' public ports bind on the host (default 0.0.0.0). */
  readonly listen?: string | undefined;
  /** How long a started agent gets to answer on its socket (default 20 s). */
  readonly startTimeoutMs?: number | undefined;
  /** Limit of each remote command (default 60 s). */
  readonly commandTimeoutMs?: number | undefined;
}

/** The agent as `ensureRemoteAgent` left it. */
export interface RemoteAgent {
  /** `started`: none ran; `running`: it ran this Slipway; `restarted`: it ran another one. */
  readonly status: 'started' | 'running' | 'restarted';
  /** The Slipway version the agent runs (what `slipway --version` prints there). */
  readonly version: string;
  /** The version the agent ran before it was restarted. */
  readonly previousVersion?: string;
  /** The local unix socket forwarded to the agent's control socket. */
  readonly socket: string;
  /** The host's folder (`~` expanded) and the agent's state directory in it. */
  readonly dir: string;
  readonly stateDir: string;
  /** The agent's log file on the host. */
  readonly logFile: string;
}

/**
 * Runs as `sh -c PROBE agent DIR`: prints `dir D` (`~` expanded), `tmp T`, then `no-current`, or
 * `root R` (current, resolved); when a supervisor runs for D/state, `running PID` and
 * `running-root R`. A supervisor running current's own Slipway runs, so it is not started again to
 * print its version: the probe prints `running-current` and the agent is asked instead (one Node.js
 * start less per host and deploy). Otherwise it prints `version V` (or `version-failed ...`) and, for
 * a supervisor running another Slipway, `running-version V`.
 */
export const PROBE_SCRIPT = `set -u
D=$1
case $D in "~") D=$HOME ;; "~/"*) D="$HOME/\${D#"~/"}" ;; esac
echo "dir $D"
echo "tmp \${TMPDIR:-\${TMP:-\${TEMP:-/tmp}}}"
if [ ! -f "$D/current/bin/slipway.js" ]; then echo no-current; exit 0; fi
R=$(cd "$D/current" && pwd -P) || { echo no-current; exit 0; }
echo "root $R"
script=
P="$D/state/agent/supervisor.pid"
if [ -f "$P" ]; then
  pid=; read -r pid start < "$P" || true
  case $pid in ''|*[!0-9]*) pid= ;; esac
  if [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ]; then
    args=$(tr '\\0' '\\n' < "/proc/$pid/cmdline")
    if printf '%s\\n' "$args" | grep -qxF -- "$D/state"; then
      script=$(printf '%s\\n' "$args" | grep '/bin/slipway\\.js$' | head -n 1)
    fi
  fi
fi
if [ -n "$script" ]; then
  echo "running $pid"
  echo "running-root \${script%/bin/slipway.js}"
  if [ "$script" = "$R/bin/slipway.js" ]; then echo running-current; exit 0; fi
fi
if v=$(node "$R/bin/slipway.js" --version 2>&1); then echo "version $v"; else echo "version-failed $v" | head -n 3; fi
if [ -n "$script" ] && [ -f "$script" ] && rv=$(node "$script" --version 2>/dev/null); then echo "running-version $rv"; fi
exit 0
`;

/**
 * Runs as `sh -c START agent D R LISTEN`: starts R's agent for D/state in a session of its own,
 * detached from the SSH session, its output appended to D/state/agent/agent.log; prints `started PID`.
 */
export const START_SCRIPT = `set -eu
D=$1 R=$2 L=$3
umask 077
mkdir -p "$D/state/agent"
chmod 700 "$D/state" "$D/state/agent"
cd /
if command -v setsid >/dev/null 2>&1; then
  setsid nohup node "$R/bin/slipway.js" agent run --state-dir "$D/state" --listen "$L" </dev/null >>"$D/state/agent/agent.log" 2>&1 &
else
  nohup node "$R/bin/slipway.js" agent run --state-dir "$D/state" --listen "$L" </dev/null >>"$D/state/agent/agent.log" 2>&1 &
fi
echo "started $!"
`;

/** What the probe found. */
export interface ProbeFacts {
  readonly dir: string;
  readonly tmp: string;
  /** Undefined when `<dir>/current` is missing. */
  readonly root: string | undefined;
  readonly version: string | undefined;
  readonly versionFailed: string | undefined;
  readonly running:
    | {
        readonly pid: number;
        readonly root: string;
        /** It runs current's own Slipway (its version is then the agent's to tell). */
        readonly current: boolean;
        readonly version?: string;
      }
    | undefined;
}

/** The facts of the probe's answer; undefined when it is not one. */
export function parseProbe(stdout: string): ProbeFacts | undefined {
  const lines = stdout.split('\n');
  const value = (keyword: string) =>
    lines.find((l) => l === keyword || l.startsWith(`${keyword} `))?.slice(keyword.length + 1);
  const dir = value('dir');
  const tmp = value('tmp');
  if (dir === undefined || tmp === undefined) return undefined;
  const pid = Number(value('running'));
  const runningRoot = value('running-root');
  const runningVersion = value('running-version');
  return {
    dir,
    tmp,
    root: value('root'),
    version: value('version'),
    versionFailed: value('version-failed'),
    running:
      pid > 0 && runningRoot !== undefined
        ? {
            pid,
            root: runningRoot,
            current: lines.includes('running-current'),
            ...(runningVersion !== undefined ? { version: runningVersion } : {}),
          }
        : undefined,
  };
}

/** The agent's control socket on the host, as the agent's own agentPaths() computes it there. */
export function remoteAgentSocket(stateDir: string, tmp: string): string {
  const home = posix.join(stateDir, 'agent');
  const socket = posix.join(home, 'agent.sock');
  if (socket.length <= 100) return socket;
  const digest = createHash('sha256').update(home).digest('hex').slice(0, 16);
  return posix.join(tmp.replace(/\/+$/, '') || '/', `slipway-agent-${digest}.sock`);
}

/** The host, for messages: its name and how it is reached. */
type HostRef = Pick<ResolvedHost, 'name' | 'dir'>;

/** Makes sure the host's agent runs the installed Slipway, and forwards a local socket to it. */
export async function ensureRemoteAgent(
  transport: SshTransport,
  host: HostRef,
  options: RemoteAgentOptions = {},
): Promise<RemoteAgent> {
  const who = describeTarget(transport.target);
  const run = { timeoutMs: options.commandTimeoutMs ?? 60_000 };
  const probe = async (): Promise<ProbeFacts> => {
    const result = await transport.run(['sh', '-c', PROBE_SCRIPT, 'agent', host.dir], run);
    const facts = parseProbe(result.stdout);
    if (facts === undefined)
      throw new RemoteHostError(
        'REMOTE_PROTOCOL',
        host.name,
        `unexpected answer from ${who} to the agent probe: ${(result.stdout + result.stderr).slice(0, 300)}`,
      );
    return facts;
  };
  let facts = await probe();
  const current = `${facts.dir}/current`;
  const { root } = facts;
  if (root === undefined)
    throw new RemoteHostError(
      'REMOTE_NOT_SET_UP',
      host.name,
      `host ${who} has no Slipway installed (${current} is missing): run \`slipway host setup ${host.name}\` first`,
    );
  const stateDir = posix.join(facts.dir, 'state');
  const logFile = posix.join(stateDir, 'agent', 'agent.log');
  const socket = await transport.forwardSocket(remoteAgentSocket(stateDir, facts.tmp));
  const client = new AgentClient(stateDir, undefined, undefined, {
    socket,
    label: `the agent on ${who}`,
  });
  const agent = (status: RemoteAgent['status'], version: string, previousVersion?: string): RemoteAgent => ({
    status,
    version,
    ...(previousVersion !== undefined ? { previousVersion } : {}),
    socket,
    dir: facts.dir,
    stateDir,
    logFile,
  });

  if (facts.running?.current) {
    const answer = await waitForAgent(transport, client, host, logFile, options);
    // An agent older than its version in /v1/status is asked the way the probe would.
    const version = answer.agent?.version ?? (await installedVersion(transport, host, root, run));
    return agent('running', version);
  }
  if (facts.version === undefined)
    throw new RemoteHostError(
      'REMOTE_AGENT_FAILED',
      host.name,
      `the Slipway installed at ${current} on ${who} does not run: ${facts.versionFailed ?? 'no output'}; run \`slipway host setup ${host.name}\` again`,
    );
  const { version } = facts;
  let previous: string | undefined;
  if (facts.running !== undefined) {
    // It runs another installed Slipway: stop it (leaving instances to the new agent) and start this one.
    previous = facts.running.version ?? 'unknown';
    await waitForAgent(transport, client, host, logFile, options);
    await client.call('POST', '/v1/shutdown', { keepInstances: true });
    const deadline = Date.now() + (options.startTimeoutMs ?? 20_000) + 10_000;
    for (;;) {
      facts = await probe();
      if (facts.running === undefined) break;
      if (Date.now() > deadline)
        throw new RemoteHostError(
          'REMOTE_AGENT_FAILED',
          host.name,
          `the agent on ${who} (supervisor ${facts.running.pid}) did not stop to be upgraded to ${version} (see ${logFile})`,
        );
      await sleep(100);
    }
  }
  await transport.run(['sh', '-c', START_SCRIPT, 'agent', facts.dir, root, options.listen ?? '0.0.0.0'], run);
  await waitForAgent(transport, client, host, logFile, options);
  return previous === undefined ? agent('started', version) : agent('restarted', version, previous);
}

/** What `slipway --version` prints on the host for the Slipway installed at `root`. */
async function installedVersion(
  transport: SshTransport,
  host: HostRef,
  root: string,
  run: { readonly timeoutMs: number },
): Promise<string> {
  const result = await transport.run(['node', posix.join(root, 'bin', 'slipway.js'), '--version'], {
    ...run,
    check: false,
  });
  const version = result.stdout.trim();
  if (result.exitCode !== 0 || version === '')
    throw new RemoteHostError(
      'REMOTE_AGENT_FAILED',
      host.name,
      `the Slipway installed at ${root} on ${describeTarget(transport.target)} does not print its version: ${(result.stderr || result.stdout).trim().slice(0, 300)}`,
    );
  return version;
}

/** The agent's answer to `GET /v1/status`, as far as it is read here. */
interface AgentStatus {
  readonly agent?: { readonly version?: string };
}

/** Waits (bounded) until the agent answers `GET /v1/status` through the forwarded socket. */
async function waitForAgent(
  transport: SshTransport,
  client: AgentClient,
  host: HostRef,
  logFile: string,
  options: RemoteAgentOptions,
): Promise<AgentStatus> {
  const deadline = Date.now() + (options.startTimeoutMs ?? 20_000);
  for (;;) {
    let failure: unknown;
    try {
      const answer = await client.tryCall<AgentStatus>('GET', '/v1/status');
      if (answer) return answer;
    } catch (error) {
      failure = error;
    }
    if (Date.now() > deadline) {
      const tail = await transport
        .run(['tail', '-n', '5', logFile], { timeoutMs: 10_000, check: false })
        .then((r) => r.stdout.trim())
        .catch(() => '');
      throw new RemoteHostError(
        'REMOTE_AGENT_FAILED',
        host.name,
        `the agent on ${describeTarget(transport.target)} did not answer on its socket within ` +
          `${options.startTimeoutMs ?? 20_000} ms (see ${logFile}${tail === '' ? '' : `: ${tail.replaceAll('\n', ' | ')}`})`,
        failure === undefined ? undefined : { cause: failure },
      );
    }
    // A master connection that ended meanwhile (ControlPersist after the forward was asked for)
    // takes its forwards with it: reopen both before the next try.
    await transport.keepForwards().catch(() => {});
    await sleep(50);
  }
}
