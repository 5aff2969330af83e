import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { text } from 'node:stream/consumers';
import { after, describe, test } from 'node:test';
import { eventually, liveGroupMembers } from '../../test/helpers/process-groups.js';
import { killProcessGroup } from './process-group.js';
import { type SpawnedGroup, spawnProcessGroup } from './spawn-process-group.js';

const PATH_ONLY = { PATH: process.env.PATH ?? '/usr/bin:/bin' };
const dir = mkdtempSync(join(tmpdir(), 'slipway-spawn-group-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function sh(script: string, env: Record<string, string> = PATH_ONLY, cwd?: string): SpawnedGroup {
  return spawnProcessGroup('/bin/sh', ['-c', script], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
}

function started(group: SpawnedGroup): Extract<SpawnedGroup, { started: true }> {
  assert.ok(group.started, 'the command should have started');
  return group;
}

describe('spawnProcessGroup', { concurrency: true }, () => {
  test('the command leads a new session and process group of its own', async () => {
    const group = started(sh('sleep 5'));
    try {
      const ids = execFileSync('ps', ['-o', 'pgid=,sid=', '-p', String(group.pid)], { encoding: 'utf8' });
      assert.deepEqual(ids.trim().split(/\s+/).map(Number), [group.pid, group.pid]);
      assert.notEqual(group.pid, process.pid);
    } finally {
      await killProcessGroup(group.pid, 1000);
    }
    assert.deepEqual(await group.exit, { code: null, signal: 'SIGTERM' });
  });

  test('reports the exit status, and the signal that killed the leader', async () => {
    assert.deepEqual(await started(sh('exit 3')).exit, { code: 3, signal: null });
    assert.deepEqual(await started(sh('kill -KILL $$')).exit, { code: null, signal: 'SIGKILL' });
  });

  test('runs in the given folder with exactly the given environment', async () => {
    const group = started(sh('echo "$PWD $GREETING ${HOME-no-home}"', { ...PATH_ONLY, GREETING: 'hi' }, dir));
    assert.ok(group.stdout);
    assert.equal((await text(group.stdout)).trim(), `${dir} hi no-home`);
    assert.deepEqual(await group.exit, { code: 0, signal: null });
  });

  test('writes output straight to a file descriptor', async () => {
    const file = join(dir, 'out.log');
    const fd = openSync(file, 'a');
    const group = spawnProcessGroup('/bin/sh', ['-c', 'echo to-the-file; echo err >&2'], {
      env: PATH_ONLY,
      stdio: ['ignore', fd, fd],
    });
    closeSync(fd);
    assert.equal(started(group).stdout, null);
    await started(group).exit;
    assert.equal(readFileSync(file, 'utf8'), 'to-the-file\nerr\n');
  });

  test('members started in the background outlive the leader, until the group is killed', async () => {
    const group = started(sh('sleep 30 & exit 0'));
    try {
      assert.deepEqual(await group.exit, { code: 0, signal: null });
      assert.match(liveGroupMembers(group.pid).join('\n'), /^\d+ sleep 30$/);
    } finally {
      await killProcessGroup(group.pid, 1000);
    }
    assert.ok(await eventually(() => liveGroupMembers(group.pid).length === 0, 2000));
  });

  test('a missing program does not start, and says why', async () => {
    const group = spawnProcessGroup(join(dir, 'no-such-program'), [], { env: PATH_ONLY, stdio: 'ignore' });
    assert.equal(group.started, false);
    assert.ok(!group.started);
    assert.match((await group.error).message, /ENOENT/);
  });

  test('a missing working directory does not start', async () => {
    const group = sh('true', PATH_ONLY, join(dir, 'missing'));
    assert.ok(!group.started);
    assert.match((await group.error).message, /ENOENT/);
  });

  test('arguments spawn refuses outright do not throw either', async () => {
    const group = sh('echo a\0b');
    assert.ok(!group.started);
    assert.match((await group.error).message, /null bytes/);
  });
});
