/** A client of the agent's control API over its unix socket, which starts the agent when none runs. */
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { SlipwayError } from '../../errors/slipway-error.js';
import { processStartTime } from '../../process/process-identity.js';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from '../../state-files/private-modes.js';
import { PlatformError, type PlatformErrorCode } from '../errors.js';
import { type AgentPaths, agentPaths } from './agent/agent-paths.js';

/** How long a started agent gets to open its socket. */
const START_TIMEOUT_MS = 10_000;

/** Sends of one call: an agent killed twice during one call is not waited for a third time. */
const MAX_ATTEMPTS = 3;

/** How to start an agent process: argv before `agent run --state-dir DIR`. */
export type AgentCommand = readonly string[];

/** How to reach an agent that is not this host's own (one on a remote host, through a forwarded socket). */
export interface AgentClientOptions {
  /**
   * The socket to talk to instead of `<stateDir>/agent/agent.sock` (a local socket forwarded to the
   * remote agent's). Such an agent is never started by the client, and its supervisor, which the
   * client cannot see, is taken to be running: a call that finds it down waits for it to come back.
   */
  readonly socket?: string;
  /** What errors call the agent, e.g. `the agent on host web-1` (default `the agent`). */
  readonly label?: string;
}

/** Talks to one project's agent. */
export class AgentClient {
  readonly paths: AgentPaths;

  private readonly remote: boolean;
  private readonly label: string;

  constructor(
    stateDir: string,
    private readonly command: AgentCommand | undefined,
    private readonly env: NodeJS.ProcessEnv = process.env,
    options: AgentClientOptions = {},
  ) {
    const paths = agentPaths(stateDir);
    this.remote = options.socket !== undefined;
    this.paths = options.socket === undefined ? paths : { ...paths, socket: options.socket };
    this.label = options.label ?? 'the agent';
  }

  /** Sends a request, starting the agent first when it is not running and a command is known. */
  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.send<T>(method, path, body);
      } catch (error) {
        // The supervisor restarts an agent that died, so a call waits for it even without a command.
        const restartable = this.command !== undefined || this.supervisorRuns();
        if (!(error instanceof AgentDownError) || !restartable || attempt === MAX_ATTEMPTS) {
          throw this.remote ? this.remoteDown(error) : unwrap(error);
        }
        await this.start();
      }
    }
  }

  /** Sends a request only if an agent runs; undefined otherwise. */
  async tryCall<T>(method: string, path: string, body?: unknown): Promise<T | undefined> {
    try {
      return await this.send<T>(method, path, body);
    } catch (error) {
      if (error instanceof AgentDownError) return undefined;
      throw error;
    }
  }

  /**
   * Starts an agent in the background and waits for its socket. When its supervisor runs (the
   * agent is restarting), it only waits.
   */
  async start(): Promise<void> {
    if (!this.supervisorRuns()) this.spawnSupervisor();
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (;;) {
      try {
        await this.send('GET', '/v1/status');
        return;
      } catch (error) {
        if (!(error instanceof AgentDownError) || Date.now() > deadline) {
          throw new PlatformError(
            'AGENT_UNAVAILABLE',
            `${this.label} did not start within ${START_TIMEOUT_MS} ms (see ${this.paths.logFile})`,
            { cause: error },
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    }
  }

  /** The error of a remote agent that does not answer. */
  private remoteDown(error: unknown): unknown {
    if (!(error instanceof AgentDownError)) return error;
    return new PlatformError(
      'AGENT_UNAVAILABLE',
      `${this.label} does not answer (its log: ${this.paths.logFile})`,
      { cause: error },
    );
  }

  private spawnSupervisor(): void {
    if (!this.command || this.command.length === 0) {
      throw new PlatformError('AGENT_UNAVAILABLE', 'no agent runs and no way to start one is configured');
    }
    mkdirSync(this.paths.home, { recursive: true, mode: PRIVATE_DIR_MODE });
    const log = openSync(this.paths.logFile, 'a', PRIVATE_FILE_MODE);
    try {
      const [file, ...args] = this.command;
      const child = spawn(file as string, [...args, 'agent', 'run', '--state-dir', this.paths.stateDir], {
        detached: true,
        stdio: ['ignore', log, log],
        env: this.env,
      });
      child.on('error', () => {});
      child.unref();
    } finally {
      closeSync(log);
    }
  }

  /** True while this state directory's supervisor process lives (pid and start time match). */
  private supervisorRuns(): boolean {
    // A remote supervisor cannot be seen from here; it restarts its agent, so the call waits.
    if (this.remote) return true;
    try {
      const [pid, start] = readFileSync(this.paths.supervisorPidFile, 'utf8').trim().split(' ');
      return Number(pid) > 0 && processStartTime(Number(pid)) === start;
    } catch {
      return false;
    }
  }

  private send<T>(method: string, path: string, body?: unknown): Promise<T> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise<T>((resolve, reject) => {
      const req = request(
        {
          socketPath: this.paths.socket,
          method,
          path,
          headers: payload
            ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }
            : {},
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            const isJson = (res.headers['content-type'] ?? '').startsWith('application/json');
            const parsed = isJson && text ? JSON.parse(text) : text;
            if ((res.statusCode ?? 500) >= 400) {
              const error = (parsed as { error?: { code?: string; message?: string } }).error;
              const code = (error?.code ?? 'BAD_REQUEST') as PlatformErrorCode;
              if (code === ('INTERNAL' as PlatformErrorCode)) {
                reject(new Error(`agent error: ${error?.message ?? text}`));
              } else {
                reject(new PlatformError(code, error?.message ?? text));
              }
            } else {
              resolve(parsed as T);
            }
          });
        },
      );
      req.on('error', (error: NodeJS.ErrnoException) => {
        // ECONNRESET/EPIPE: the agent died during the call. Every call is idempotent (it sets a
        // desired state or reads one), so the caller may send it again to the restarted agent.
        if (error.code && AGENT_GONE.has(error.code)) reject(new AgentDownError(error));
        else reject(error);
      });
      req.end(payload);
    });
  }
}

/** Socket errors that mean no agent answers (any more). */
const AGENT_GONE = new Set(['ENOENT', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE']);

/** No agent listens on the socket (callers start one, or report AGENT_UNAVAILABLE). */
class AgentDownError extends SlipwayError<'AGENT_DOWN'> {
  override readonly name = 'AgentDownError';
  constructor(cause: Error) {
    super('AGENT_DOWN', 'unavailable', 'no agent is running', { cause });
  }
}

function unwrap(error: unknown): unknown {
  if (error instanceof AgentDownError) {
    return new PlatformError(
      'AGENT_UNAVAILABLE',
      'no agent is running (start one with `slipway agent start`)',
      {
        cause: error,
      },
    );
  }
  return error;
}
