// Test helpers for job processes: the runners every case runs against, and probes of process groups
// that do not reuse the code under test (ps, raw kill(2)).
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLauncher, findPython } from '../../src/pipeline/process/launcher.js';
import { type ProcessRunner, spawnRunner } from '../../src/pipeline/process/process-runner.js';

export { liveGroupMembers } from './process-groups.js';

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
