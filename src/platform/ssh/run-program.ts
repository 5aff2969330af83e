/**
 * Runs one local program (ssh, ssh-keyscan, ssh-keygen, tar) in its own process group, feeding its
 * stdin and collecting its output, with a time limit and an abort signal that stop the whole group.
 */
import { spawn } from 'node:child_process';
import { Readable } from 'node:stream';
import { killProcessGroup } from '../../process/process-group.js';

/** What to feed a program's stdin: bytes, text, a stream, or nothing (/dev/null). */
export type ProgramInput = string | Uint8Array | Readable | undefined;

/** How to run a program. */
export interface ProgramOptions {
  readonly env: NodeJS.ProcessEnv;
  readonly stdin?: ProgramInput;
  /** Stop the program after this many milliseconds. */
  readonly timeoutMs?: number | undefined;
  readonly signal?: AbortSignal | undefined;
  /** Stop the program once its stdout holds more bytes than this. */
  readonly maxOutputBytes?: number | undefined;
}

/** How a program ended. */
export type ProgramResult =
  | { readonly status: 'exited'; readonly code: number; readonly stdout: Buffer; readonly stderr: string }
  | { readonly status: 'timed_out' | 'aborted' | 'too_large'; readonly stderr: string }
  | { readonly status: 'not_started'; readonly error: Error };

/** Only the tail of stderr is kept: the last words are the ones that explain a failure. */
const STDERR_KEEP = 64 * 1024;
const DEFAULT_MAX_OUTPUT = 64 * 1024 * 1024;
const KILL_GRACE_MS = 1000;

/** Runs `file args` to its end, never rejecting: every outcome is a `ProgramResult`. */
export function runProgram(
  file: string,
  args: readonly string[],
  options: ProgramOptions,
): Promise<ProgramResult> {
  return new Promise((resolve) => {
    if (options.signal?.aborted) return resolve({ status: 'aborted', stderr: '' });
    const child = spawn(file, args, {
      env: options.env,
      stdio: [options.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      detached: true,
    });
    const stdout: Buffer[] = [];
    let stdoutBytes = 0;
    let stderr = '';
    let stopped: 'timed_out' | 'aborted' | 'too_large' | undefined;
    const stop = (why: 'timed_out' | 'aborted' | 'too_large') => {
      if (stopped !== undefined || child.pid === undefined) return;
      stopped = why;
      void killProcessGroup(child.pid, KILL_GRACE_MS);
    };
    const max = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT;
    child.stdout?.on('data', (chunk: Buffer) => {
      stdoutBytes += chunk.length;
      if (stdoutBytes > max) stop('too_large');
      else stdout.push(chunk);
    });
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-STDERR_KEEP);
    });
    const timer =
      options.timeoutMs === undefined ? undefined : setTimeout(() => stop('timed_out'), options.timeoutMs);
    const onAbort = () => stop('aborted');
    options.signal?.addEventListener('abort', onAbort, { once: true });
    let done = false;
    const finish = (result: ProgramResult) => {
      if (done) return;
      done = true;
      if (timer !== undefined) clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      resolve(result);
    };
    child.once('error', (error) => {
      if (child.pid === undefined) finish({ status: 'not_started', error });
    });
    // A stopped ssh may have handed its pipes to the master connection, which holds them until the
    // remote command ends: a stopped program is done when it exits, not when its pipes close.
    child.once('exit', () => {
      if (stopped === undefined) return;
      child.stdout?.destroy();
      child.stderr?.destroy();
      finish({ status: stopped, stderr });
    });
    // 'close' waits for the output pipes, so nothing the program wrote is lost.
    child.once('close', (code, signal) => {
      if (stopped !== undefined) finish({ status: stopped, stderr });
      else
        finish({
          status: 'exited',
          code: code ?? 128 + signalNumber(signal),
          stdout: Buffer.concat(stdout),
          stderr,
        });
    });
    feed(child.stdin, options.stdin);
  });
}

function feed(stdin: NodeJS.WritableStream | null, input: ProgramInput): void {
  if (stdin === null || input === undefined) return;
  // The program may exit without reading all of it (EPIPE): its exit status tells what happened.
  stdin.on('error', () => {});
  if (input instanceof Readable) {
    input.on('error', () => stdin.end());
    input.pipe(stdin);
  } else stdin.end(input);
}

function signalNumber(signal: NodeJS.Signals | null): number {
  return signal === 'SIGKILL' ? 9 : signal === 'SIGTERM' ? 15 : 1;
}
