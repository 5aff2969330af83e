/** Runs a shell command in a process group of its own, keeping the tail of its output, killed on timeout. */
import type { Readable } from 'node:stream';
import { signalProcessGroup } from '../process/process-group.js';
import { spawnProcessGroup } from '../process/spawn-process-group.js';

/** How much of the combined output is kept to find its last line. */
const OUTPUT_TAIL_CHARS = 4000;

/** How a command ended; `output` is the tail of its combined stdout and stderr. */
export type ShellResult =
  | { readonly status: 'exited'; readonly code: number; readonly lastLine: string; readonly output: string }
  | { readonly status: 'killed'; readonly signal: string; readonly lastLine: string; readonly output: string }
  | { readonly status: 'timeout'; readonly lastLine: string; readonly output: string }
  | { readonly status: 'failed-to-start'; readonly message: string };

/**
 * Runs `command` with `/bin/sh -c`; on timeout its whole group is killed. Settles once the shell
 * has exited and its output pipes are closed (a background child holding them keeps it waiting
 * until the timeout). Never rejects.
 */
export async function runShell(
  command: string,
  options: { readonly cwd?: string; readonly env: NodeJS.ProcessEnv; readonly timeoutMs: number },
): Promise<ShellResult> {
  const group = spawnProcessGroup('/bin/sh', ['-c', command], {
    cwd: options.cwd || undefined,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (!group.started) return { status: 'failed-to-start', message: (await group.error).message };
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS);
  };
  const pipes = [group.stdout, group.stderr].map((pipe) => (pipe ? closed(pipe, keep) : Promise.resolve()));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    signalProcessGroup(group.pid, 'SIGKILL');
  }, options.timeoutMs);
  const { code, signal } = await group.exit;
  await Promise.all(pipes);
  clearTimeout(timer);
  const lastLine = output.trim().split('\n').pop() ?? '';
  if (timedOut) return { status: 'timeout', lastLine, output };
  if (signal) return { status: 'killed', signal, lastLine, output };
  return { status: 'exited', code: code ?? 0, lastLine, output };
}

/** Feeds a pipe to `onData` and resolves once it is closed. */
function closed(pipe: Readable, onData: (chunk: Buffer) => void): Promise<void> {
  pipe.on('data', onData);
  return new Promise((resolve) => pipe.once('close', () => resolve()));
}
