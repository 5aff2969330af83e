// Tests of runTool with real programs (sh): how an exit status, a missing program and a cancel end.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { InfraError } from '../errors.js';
import { runTool } from './run-tool.js';

const SH = { name: 'sh', path: '/bin/sh' };
const env = { PATH: process.env.PATH ?? '/usr/bin:/bin' };

/** False once `pid` has exited, reaped or not (a zombie whose parent died may wait for a busy init). */
function isRunning(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

test('stdout, stderr and stdin of an accepted run', async () => {
  const result = await runTool(SH, { args: ['-c', 'cat; echo warn >&2'], env, stdin: 'manifests\n' });
  assert.deepEqual(result, { exitCode: 0, stdout: 'manifests\n', stderr: 'warn\n' });
});

test('an exit status the caller accepts is an answer, any other is INFRA_TOOL_FAILED with stderr', async () => {
  const diff = await runTool(SH, { args: ['-c', 'echo changed; exit 1'], env, okExitCodes: [0, 1] });
  assert.equal(diff.exitCode, 1);
  assert.equal(diff.stdout, 'changed\n');
  await assert.rejects(
    runTool(SH, { args: ['-c', 'echo "no such context" >&2; exit 2'], env, okExitCodes: [0, 1] }),
    {
      name: 'InfraError',
      code: 'INFRA_TOOL_FAILED',
      message: 'sh -c echo "no such context" >&2; exit 2 failed (exit 2): no such context',
    },
  );
});

test('a program that is not there is INFRA_TOOL_MISSING, by path or by name', async () => {
  await assert.rejects(
    runTool({ name: 'kubectl', path: '/nonexistent/bin/kubectl' }, { args: ['version'], env }),
    {
      code: 'INFRA_TOOL_MISSING',
      message: 'kubectl is not installed at /nonexistent/bin/kubectl (ENOENT): install it or set its path',
    },
  );
  await assert.rejects(
    runTool({ name: 'helm', path: 'slipway-no-such-helm' }, { args: ['version'], env }),
    (error: unknown) =>
      error instanceof InfraError && error.code === 'INFRA_TOOL_MISSING' && error.kind === 'unavailable',
  );
});

test('cancelling stops the tool and what it started', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-run-tool-'));
  const pidFile = join(dir, 'pid');
  const controller = new AbortController();
  const started = Date.now();
  const run = runTool(SH, {
    args: ['-c', `sleep 30 & echo $! > ${pidFile}; wait`],
    env,
    signal: controller.signal,
  });
  setTimeout(() => controller.abort(new Error('plan cancelled')), 200);
  await assert.rejects(run, { code: 'INFRA_TOOL_FAILED', message: /was cancelled$/ });
  assert.ok(Date.now() - started < 10_000);
  const sleeper = Number(readFileSync(pidFile, 'utf8'));
  assert.equal(isRunning(sleeper), false);
  rmSync(dir, { recursive: true, force: true });
  await assert.rejects(runTool(SH, { args: ['-c', 'true'], env, signal: controller.signal }), {
    code: 'INFRA_TOOL_FAILED',
  });
});
