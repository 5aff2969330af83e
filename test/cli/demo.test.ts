/** `slipway demo` end to end: pipeline, v1 everywhere, v2 by canary under traffic, broken v3 rolled back. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { test } from 'node:test';

const BIN = join(resolve(import.meta.dirname, '..', '..'), 'bin', 'slipway.js');

test('the demo ships v2 to completion and rolls back a broken v3 on its own', {
  timeout: 240_000,
}, async () => {
  const child = spawn(process.execPath, [BIN, '--json', 'demo'], {
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => {
    stdout += c.toString();
  });
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  const code = await new Promise<number | null>((r) => child.on('close', r));
  assert.equal(code, 0, stderr.slice(-3000));
  const summary = stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .find((e) => e.type === 'demo.summary');
  assert.ok(summary, stdout.slice(-2000));
  assert.equal(summary.v2, 'completed');
  assert.equal(summary.v3, 'rolled_back');
  assert.match(String(summary.reason), /error_rate 100% > 1%|success_rate 0% < 99%/);
  assert.ok(Number(summary.requests) > 500, `requests ${summary.requests}`);
  assert.ok(Number(summary.failed) > 0 && Number(summary.failed) < Number(summary.requests) / 5);
  assert.ok(Number(summary.badResponsesForMs) < 5000, `bad responses for ${summary.badResponsesForMs} ms`);
  assert.match(stderr, /approving production as 'demo'/);
});
