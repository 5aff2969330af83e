/** A client of the agent's control API over its unix socket, which starts the agent when none runs. */
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { request } from 'node:http';
import { SlipwayError } from '../../errors/slipway-error.js';
import { PlatformError, type PlatformErrorCode } from '../errors.js';
import { type AgentPaths, agentPaths } from './agent/agent-paths.js';

/** How long a started agent gets to open its socket. */
const START_TIMEOUT_MS = 10_000;

/** How to start an agent process: argv before `agent run --state-dir DIR`. */
export type AgentCommand = readonly string[];

/** Talks to one project's agent. */
export class AgentClient {
  readonly paths: AgentPaths;

  constructor(
    stateDir: string,
    private readonly command: AgentCommand | undefined,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {
    this.paths = agentPaths(stateDir);
  }

  /** Sends a request, starting the agent first when it is not running and a command is known. */
  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    try {
      return await this.send<T>(method, path, body);
    } catch (error) {
      if (!(error instanceof AgentDownError) || !this.command) throw unwrap(error);
      await this.start();
      return this.send<T>(method, path, body);
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

  /** Starts an agent in the background and waits for its socket. */
  async start(): Promise<void> {
    if (!this.command || this.command.length === 0) {
      throw new PlatformError('AGENT_UNAVAILABLE', 'no agent runs and no way to start one is configured');
    }
    mkdirSync(this.paths.home, { recursive: true });
    const log = openSync(this.paths.logFile, 'a');
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
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (;;) {
      try {
        await this.send('GET', '/v1/status');
        return;
      } catch (error) {
        if (!(error instanceof AgentDownError) || Date.now() > deadline) {
          throw new PlatformError(
            'AGENT_UNAVAILABLE',
            `the agent did not start within ${START_TIMEOUT_MS} ms (see ${this.paths.logFile})`,
            { cause: error },
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
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
        if (error.code === 'ENOENT' || error.code === 'ECONNREFUSED') reject(new AgentDownError(error));
        else reject(error);
      });
      req.end(payload);
    });
  }
}

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
