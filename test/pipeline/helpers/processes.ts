// Process checks for "nothing of the job is left": a pid is gone when it is dead or an unreaped zombie.
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * True while `pid` runs. `process.kill(pid, 0)` is the primary check; a zombie counts as gone because
 * PID 1 in some sandboxes (this one included) never reaps orphans, so their exited children linger as Z.
 */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/** Polls `check` until it returns true; throws with `what` after `timeoutMs`. */
export async function waitFor(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}`);
    await sleep(25);
  }
}

/**
 * SIGKILLs `pid` if it still runs one of `commands` (checked so that a recycled pid of an unrelated process
 * is left alone); for cleanup after a failed assertion.
 */
export function killIfRunning(pid: number, commands: readonly string[]): void {
  let comm: string;
  try {
    comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return;
  }
  if (!commands.includes(comm) || !isRunning(pid)) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
