// Signals a process group and waits for it to end, so nothing a command started outlives it (POSIX).
import { setTimeout as sleep } from 'node:timers/promises';
import { createGroupProbe } from './group-probe.js';

/** How long to wait for the kernel to finish off a group after SIGKILL before giving up. */
const KILL_SETTLE_MS = 1000;
const FIRST_POLL_MS = 5;
const MAX_POLL_MS = 50;

/** Sends `signal` to every process in group `pgid`; false when the group no longer exists. */
export function signalProcessGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (error) {
    // EPERM: a member changed user; the group is there, we just may not signal all of it.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True while a process of group `pgid` still runs (exited members awaiting reaping do not count). */
export function isProcessGroupAlive(pgid: number): boolean {
  return createGroupProbe(pgid)();
}

/** Polls until group `pgid` has no running process or `timeoutMs` passes; true when it is gone. */
export async function waitForProcessGroupExit(pgid: number, timeoutMs: number): Promise<boolean> {
  const alive = createGroupProbe(pgid);
  const deadline = performance.now() + timeoutMs;
  let delay = FIRST_POLL_MS;
  for (;;) {
    if (!alive()) return true;
    const left = deadline - performance.now();
    if (left <= 0) return false;
    await sleep(Math.min(delay, left));
    delay = Math.min(delay * 2, MAX_POLL_MS);
  }
}

/** Stops every process of group `pgid`: SIGTERM, then SIGKILL for whatever still runs after `graceMs`. */
export async function killProcessGroup(pgid: number, graceMs: number): Promise<void> {
  if (!signalProcessGroup(pgid, 'SIGTERM')) return;
  if (await waitForProcessGroupExit(pgid, graceMs)) return;
  if (!signalProcessGroup(pgid, 'SIGKILL')) return;
  await waitForProcessGroupExit(pgid, KILL_SETTLE_MS);
}
