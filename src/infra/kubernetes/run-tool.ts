/**
 * Runs one of the infrastructure tools (kubectl, helm) to its end in a process group of its own,
 * feeding its stdin and collecting its output: a missing program is INFRA_TOOL_MISSING, an exit
 * status the caller does not accept is INFRA_TOOL_FAILED with the tool's own words.
 */
import { spawn } from 'node:child_process';
import { killProcessGroup } from '../../process/process-group.js';
import { InfraError } from '../errors.js';

/** A program and the name its messages use. */
export interface Tool {
  readonly name: string;
  /** A name looked up on PATH, or a path. */
  readonly path: string;
}

/** One run of a tool. */
export interface ToolCall {
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly stdin?: string;
  /** Exit statuses that are answers, not failures (`kubectl diff` exits 1 when it finds changes). */
  readonly okExitCodes?: readonly number[];
  readonly signal?: AbortSignal;
}

/** How an accepted run ended. */
export interface ToolResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Only the tail of stderr is kept: the last words are the ones that explain a failure. */
const STDERR_KEEP = 64 * 1024;
const KILL_GRACE_MS = 2000;

/** Runs `tool` with `call.args`; rejects with an InfraError when it cannot start, is cancelled or fails. */
export function runTool(tool: Tool, call: ToolCall): Promise<ToolResult> {
  const command = `${tool.name} ${call.args.join(' ')}`;
  return new Promise((resolve, reject) => {
    if (call.signal?.aborted) return reject(cancelled(command, call.signal));
    // detached: the tool leads its own group, so cancelling also stops what it starts (kubectl diff runs diff).
    const child = spawn(tool.path, call.args, {
      env: call.env,
      stdio: [call.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      detached: true,
    });
    const stdout: Buffer[] = [];
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-STDERR_KEEP);
    });
    const onAbort = () => {
      if (child.pid !== undefined) void killProcessGroup(child.pid, KILL_GRACE_MS);
    };
    call.signal?.addEventListener('abort', onAbort, { once: true });
    child.once('error', (error: NodeJS.ErrnoException) => {
      if (child.pid !== undefined) return;
      call.signal?.removeEventListener('abort', onAbort);
      reject(notStarted(tool, error));
    });
    child.once('close', (code, signal) => {
      call.signal?.removeEventListener('abort', onAbort);
      if (call.signal?.aborted) return reject(cancelled(command, call.signal));
      const exitCode = code ?? 128;
      if (!(call.okExitCodes ?? [0]).includes(exitCode)) {
        const why = signal === null ? `exit ${exitCode}` : `killed by ${signal}`;
        const said = stderr.trim() === '' ? '' : `: ${stderr.trim()}`;
        return reject(new InfraError('INFRA_TOOL_FAILED', `${command} failed (${why})${said}`));
      }
      resolve({ exitCode, stdout: Buffer.concat(stdout).toString('utf8'), stderr });
    });
    if (child.stdin && call.stdin !== undefined) {
      // The tool may exit without reading it all (EPIPE): its exit status says what happened.
      child.stdin.on('error', () => {});
      child.stdin.end(call.stdin);
    }
  });
}

function notStarted(tool: Tool, error: NodeJS.ErrnoException): InfraError {
  if (error.code === 'ENOENT' || error.code === 'EACCES' || error.code === 'ENOTDIR')
    return new InfraError(
      'INFRA_TOOL_MISSING',
      tool.path.includes('/')
        ? `${tool.name} is not installed at ${tool.path} (${error.code}): install it or set its path`
        : `${tool.name} is not installed (not found on PATH): install it or set its path`,
      { cause: error },
    );
  return new InfraError('INFRA_TOOL_FAILED', `${tool.name} could not start: ${error.message}`, {
    cause: error,
  });
}

function cancelled(command: string, signal: AbortSignal): InfraError {
  return new InfraError('INFRA_TOOL_FAILED', `${command} was cancelled`, { cause: signal.reason });
}
