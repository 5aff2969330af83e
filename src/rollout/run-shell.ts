/** Runs a shell command in a process group of its own, keeping the tail of its output, killed on timeout. */
import { spawn } from 'node:child_process';

/** How a command ended. */
export type ShellResult =
  | { readonly status: 'exited'; readonly code: number; readonly lastLine: string }
  | { readonly status: 'killed'; readonly signal: string; readonly lastLine: string }
  | { readonly status: 'timeout'; readonly lastLine: string }
  | { readonly status: 'failed-to-start'; readonly message: string };

/** Runs `command` with `/bin/sh -c`; on timeout its whole group is killed. Never rejects. */
export function runShell(
  command: string,
  options: { readonly cwd?: string; readonly env: NodeJS.ProcessEnv; readonly timeoutMs: number },
): Promise<ShellResult> {
  return new Promise((resolve) => {
    const child = spawn('/bin/sh', ['-c', command], {
      ...(options.cwd ? { cwd: options.cwd } : {}),
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-4000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-(child.pid ?? 0), 'SIGKILL');
      } catch {}
    }, options.timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ status: 'failed-to-start', message: error.message });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const lastLine = output.trim().split('\n').pop() ?? '';
      if (timedOut) resolve({ status: 'timeout', lastLine });
      else if (signal) resolve({ status: 'killed', signal, lastLine });
      else resolve({ status: 'exited', code: code ?? 0, lastLine });
    });
  });
}
