import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { liveGroupMembers } from '../../test/helpers/process-groups.js';
import { isProcessGroupAlive, killProcessGroup, waitForProcessGroupExit } from './process-group.js';

/** Starts `script` as the leader of a new process group and returns its pid (= the group id). */
async function startGroup(script: string): Promise<number> {
  const child = spawn('bash', ['-c', script], { detached: true, stdio: 'ignore' });
  await once(child, 'spawn');
  child.unref();
  assert.ok(child.pid !== undefined);
  await sleep(100); // let the script fork its children and set its traps
  return child.pid;
}

describe('process groups', { concurrency: true }, () => {
  test('killProcessGroup stops a group with background children', async () => {
    const pgid = await startGroup('sleep 30 & sleep 30 & wait');
    assert.equal(isProcessGroupAlive(pgid), true);
    assert.ok(liveGroupMembers(pgid).length >= 3);
    await killProcessGroup(pgid, 2000);
    assert.deepEqual(liveGroupMembers(pgid), []);
    assert.equal(isProcessGroupAlive(pgid), false);
  });

  test('killProcessGroup falls back to SIGKILL after the grace period', async () => {
    const pgid = await startGroup("trap '' TERM; sleep 30 & wait");
    const started = Date.now();
    await killProcessGroup(pgid, 400);
    const elapsed = Date.now() - started;
    assert.deepEqual(liveGroupMembers(pgid), []);
    assert.ok(elapsed >= 380 && elapsed < 2000, `took ${elapsed} ms`);
  });

  test('killProcessGroup returns at once for a group that is gone', async () => {
    const pgid = await startGroup('exit 0');
    await waitForProcessGroupExit(pgid, 2000);
    const started = Date.now();
    await killProcessGroup(pgid, 5000);
    assert.ok(Date.now() - started < 100);
  });

  test('members that exited but were not reaped yet do not count as alive', async () => {
    // The orphaned sleep exits after 0.1 s; an init that reaps lazily keeps it as a zombie for a while.
    const pgid = await startGroup('(sleep 0.1 &); exit 0');
    assert.equal(await waitForProcessGroupExit(pgid, 1000), true);
    assert.deepEqual(liveGroupMembers(pgid), []);
  });

  test('waitForProcessGroupExit times out on a running group', async () => {
    const pgid = await startGroup('sleep 30');
    assert.equal(await waitForProcessGroupExit(pgid, 150), false);
    await killProcessGroup(pgid, 1000);
    assert.equal(isProcessGroupAlive(pgid), false);
  });
});
