/** The command probe: `/bin/sh -c` in the instance's folder, passing on exit 0. */
import type { Readable } from 'node:stream';
import { signalProcessGroup } from '../../process/process-group.js';
import { spawnProcessGroup } from '../../process/spawn-process-group.js';
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
  return withDeadline(timeoutMs, async (signal) => {
    const group = spawnProcessGroup('/bin/sh', ['-c', command], {
      cwd: target.cwd,
      env: { ...target.env, PORT: String(target.port) },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    if (!group.started)
      return { ok: false, message: `cannot run probe command: ${(await group.error).message}` };
    const { pid } = group;
    signal.addEventListener('abort', () => signalProcessGroup(pid, 'SIGKILL'), { once: true });
    const stderr = readTail(group.stderr);
    const { code, signal: exitSignal } = await group.exit;
    signalProcessGroup(pid, 'SIGKILL');
    const verdict: CheckOutcome =
      code === 0
        ? { ok: true, message: 'exit 0' }
        : { ok: false, message: code === null ? `killed by ${exitSignal}` : `exit ${code}` };
    return withStderr(verdict, await stderr.drained(DRAIN_MS));
  });
}

/** Keeps the last STDERR_TAIL_BYTES of `pipe`; `drained` waits for it to close, at most `waitMs`, then lets go of it. */
function readTail(pipe: Readable | null): { drained(waitMs: number): Promise<Buffer> } {
  let tail = Buffer.alloc(0);
  pipe?.on('data', (chunk: Buffer) => {
    tail = Buffer.concat([tail, chunk]);
    if (tail.length > STDERR_TAIL_BYTES) tail = tail.subarray(tail.length - STDERR_TAIL_BYTES);
  });
  const closed = new Promise<void>((resolve) => (pipe ? pipe.once('close', resolve) : resolve()));
  return {
    async drained(waitMs) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([closed, new Promise((resolve) => (timer = setTimeout(resolve, waitMs).unref()))]);
      clearTimeout(timer);
      pipe?.destroy();
      return tail;
    },
  };
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
