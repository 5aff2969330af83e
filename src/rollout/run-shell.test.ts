import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { runShell } from './run-shell.js';

const dir = mkdtempSync(join(tmpdir(), 'slipway-run-shell-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const env = { PATH: process.env.PATH ?? '/usr/bin:/bin' };

test('reports the exit code, the last line and the tail of stdout and stderr together', async () => {
  const result = await runShell('echo first; sleep 0.1; echo "second line" >&2; exit 4', {
    cwd: dir,
    env,
    timeoutMs: 5000,
  });
  assert.deepEqual(result, {
    status: 'exited',
    code: 4,
    lastLine: 'second line',
    output: 'first\nsecond line\n',
  });
});

test('runs in the given folder with the given environment', async () => {
  const result = await runShell('echo "$PWD:$STAGE"', {
    cwd: dir,
    env: { ...env, STAGE: 'smoke' },
    timeoutMs: 5000,
  });
  assert.deepEqual(result, { status: 'exited', code: 0, lastLine: `${dir}:smoke`, output: `${dir}:smoke\n` });
});

test('a shell killed by a signal says which', async () => {
  const result = await runShell('echo bye; kill -TERM $$', { env, timeoutMs: 5000 });
  assert.deepEqual(result, { status: 'killed', signal: 'SIGTERM', lastLine: 'bye', output: 'bye\n' });
});

test('on timeout the whole group is killed, background children included', async () => {
  const marker = join(dir, 'survived');
  const started = Date.now();
  const result = await runShell(`(sleep 1 && touch ${marker}) & echo waiting; sleep 5`, {
    env,
    timeoutMs: 300,
  });
  assert.deepEqual(result, { status: 'timeout', lastLine: 'waiting', output: 'waiting\n' });
  assert.ok(Date.now() - started < 1000, `took ${Date.now() - started} ms`);
  await sleep(1200);
  assert.equal(existsSync(marker), false, 'a child of the command outlived the timeout');
});

test('a command that cannot start is reported, not thrown', async () => {
  const result = await runShell('true', { cwd: join(dir, 'missing'), env, timeoutMs: 5000 });
  assert.equal(result.status, 'failed-to-start');
  assert.match(result.status === 'failed-to-start' ? result.message : '', /ENOENT/);
});
