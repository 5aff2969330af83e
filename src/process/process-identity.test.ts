import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { eventually } from '../../test/helpers/process-groups.js';
import { readProcStat } from './proc-stat.js';
import { isSameProcess, processStartTime } from './process-identity.js';

const dir = mkdtempSync(join(tmpdir(), 'slipway-identity-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('a live process is recognised by pid and start time, and a different start time is another process', () => {
  const startTime = processStartTime(process.pid);
  assert.ok(startTime !== undefined && /^\d+$/.test(startTime), `start time ${startTime}`);
  assert.equal(processStartTime(process.pid), startTime);
  assert.equal(isSameProcess(process.pid, startTime), true);
  assert.equal(isSameProcess(process.pid, `${startTime}1`), false);
  assert.equal(isSameProcess(process.pid, ''), true, 'an unknown start time matches any live process');
});

test('no pid, a pid that ended and a zombie are all "no such process"', async () => {
  assert.equal(processStartTime(0), undefined);
  assert.equal(processStartTime(-1), undefined);
  // The exec'd sleep never reaps the child it inherits, which stays a zombie once it exits.
  const parent = spawn('/bin/sh', ['-c', 'sleep 0.05 & echo $!; exec sleep 5'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const [line] = (await once(parent.stdout, 'data')) as [Buffer];
  const zombie = Number(line.toString().trim());
  assert.ok(await eventually(() => readProcStat(zombie)?.state === 'Z', 2000), 'the child became a zombie');
  assert.equal(processStartTime(zombie), undefined);
  assert.equal(isSameProcess(zombie, ''), false);
  parent.kill('SIGKILL');
  await once(parent, 'exit');
  assert.equal(processStartTime(parent.pid ?? 0), undefined);
});

test('stat fields are read after the command name, even when the name holds spaces and ")"', async () => {
  const oddName = join(dir, 'a b) c');
  symlinkSync('/bin/sleep', oddName);
  const child = spawn(oddName, ['5'], { detached: true, stdio: 'ignore' });
  await once(child, 'spawn');
  try {
    const stat = readProcStat(child.pid ?? 0);
    assert.equal(stat?.pgrp, child.pid);
    assert.match(stat?.state ?? '', /^[RS]$/);
  } finally {
    child.kill('SIGKILL');
  }
});
