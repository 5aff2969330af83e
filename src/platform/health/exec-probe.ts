/** The command probe: `/bin/sh -c` in the instance's folder, passing on exit 0. */
import { spawn } from 'node:child_process';
import { type CheckOutcome, withDeadline } from './check-outcome.js';

/** How much of the command's stderr is kept to find its last line. */
const STDERR_TAIL_BYTES = 8192;
/** After the shell exits, how long its stderr may take to drain (a background child can hold it open). */
const DRAIN_MS = 100;
const MESSAGE_LINE_MAX = 200;

/** Where and how a probe command runs. */
export interface ExecProbeTarget {
  readonly port: number;
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
}

/**
 * Runs `command` in its own process group with `env` plus `PORT`. On timeout, and once the shell
 * has exited, the whole group is killed so no probe leaves processes behind.
 */
export function runExecProbe(
  command: string,
  target: ExecProbeTarget,
  timeoutMs: number,
): Promise<CheckOutcome> {
  return withDeadline(
    timeoutMs,
    (signal) =>
      new Promise<CheckOutcome>((resolve) => {
        const child = spawn('/bin/sh', ['-c', command], {
          cwd: target.cwd,
          env: { ...target.env, PORT: String(target.port) },
          detached: true,
          stdio: ['ignore', 'ignore', 'pipe'],
        });
        let stderr = Buffer.alloc(0);
        let verdict: CheckOutcome | undefined;
        const finish = (): void => {
          if (verdict) resolve(withStderr(verdict, stderr));
          child.stderr?.destroy();
        };
        child.stderr?.on('data', (chunk: Buffer) => {
          stderr = Buffer.concat([stderr, chunk]);
          if (stderr.length > STDERR_TAIL_BYTES) stderr = stderr.subarray(stderr.length - STDERR_TAIL_BYTES);
        });
        signal.addEventListener('abort', () => killGroup(child.pid), { once: true });
        child.once('error', (error) => {
          verdict = { ok: false, message: `cannot run probe command: ${error.message}` };
          finish();
        });
        child.once('exit', (code, exitSignal) => {
          killGroup(child.pid);
          verdict =
            code === 0
              ? { ok: true, message: 'exit 0' }
              : { ok: false, message: code === null ? `killed by ${exitSignal}` : `exit ${code}` };
          setTimeout(finish, DRAIN_MS).unref();
        });
        child.once('close', finish);
      }),
  );
}

function withStderr(verdict: CheckOutcome, stderr: Buffer): CheckOutcome {
  if (verdict.ok) return verdict;
  const last = stderr
    .toString('utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .at(-1);
  if (!last) return verdict;
  const line = last.length > MESSAGE_LINE_MAX ? `${last.slice(0, MESSAGE_LINE_MAX)}...` : last;
  return { ok: false, message: `${verdict.message}: ${line}` };
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // The group is already gone.
  }
}
