// Test-only views of process groups that do not reuse the code under test (ps, raw kill(2)).
import { execFileSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';

/** Members of group `pgid` that still run, as `ps` lists them (exited-but-unreaped zombies excluded). */
export function liveGroupMembers(pgid: number): string[] {
  const listing = execFileSync('ps', ['-eo', 'pgid=,stat=,pid=,args='], { encoding: 'utf8' });
  return listing
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter(([group, state]) => Number(group) === pgid && state !== undefined && !state.startsWith('Z'))
    .map((fields) => fields.slice(2).join(' '));
}

/** Polls `condition` every 20 ms until it holds or `timeoutMs` passes; returns whether it held. */
export async function eventually(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await sleep(20);
  }
  return true;
}
