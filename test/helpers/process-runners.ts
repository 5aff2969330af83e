// Test helpers for job processes: the runners every case runs against, and probes of process groups
// that do not reuse the code under test (ps, raw kill(2)).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLauncher, findPython } from '../../src/pipeline/process/launcher.js';
import { type ProcessRunner, spawnRunner } from '../../src/pipeline/process/process-runner.js';

/** Members of group `pgid` that still run, as `ps` lists them (exited-but-unreaped zombies excluded). */
export function liveGroupMembers(pgid: number): string[] {
  const listing = execFileSync('ps', ['-eo', 'pgid=,stat=,pid=,args='], { encoding: 'utf8' });
  return listing
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter(([group, state]) => Number(group) === pgid && state !== undefined && !state.startsWith('Z'))
    .map((fields) => fields.slice(2).join(' '));
}

/** Waits until `kill(-pgid, 0)` fails with ESRCH; false on timeout. Some sandbox inits reap orphans every ~2 s. */
export async function waitForNoSuchGroup(pgid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      process.kill(-pgid, 0);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ESRCH') return true;
      throw error;
    }
    if (Date.now() > deadline) return false;
    await sleep(20);
  }
}

/** The environment tests give jobs: PATH only, so nothing else leaks in. */
export const TEST_ENV: Readonly<Record<string, string>> = { PATH: process.env.PATH ?? '/usr/bin:/bin' };

/** The launcher case must really use the launcher, not fall back to spawns. */
export function requirePython(): string {
  const python = findPython();
  assert.ok(python, 'python3 (>= 3.8) is needed on the PATH to test the launcher');
  return python;
}

/** One contract, two implementations: every case runs against direct spawns and the launcher. */
export const RUNNERS: readonly [string, () => ProcessRunner][] = [
  ['spawn', spawnRunner],
  ['launcher', () => createLauncher({ python: requirePython() })],
];
