import assert from 'node:assert/strict';
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { requirePython, TEST_ENV } from '../../../test/helpers/process-runners.js';
import { createLauncher } from './launcher.js';

const dir = realpathSync(mkdtempSync(join(tmpdir(), 'slipway-launcher-')));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('launcher slots', () => {
  test('with 1 slot, jobs handed over together run one at a time, in order', async () => {
    const launcher = createLauncher({ python: requirePython(), slots: 1 });
    after(() => launcher.close());
    const starts: number[] = [];
    const started = Date.now();
    const results = await Promise.all(
      [1, 2, 3].map((n) =>
        launcher.run({
          command: `echo job-${n}; sleep 0.3`,
          cwd: dir,
          env: TEST_ENV,
          onStart: () => starts.push(n),
          onOutput: () => {},
        }),
      ),
    );
    assert.deepEqual(
      results.map((r) => r.status),
      ['succeeded', 'succeeded', 'succeeded'],
    );
    assert.deepEqual(starts, [1, 2, 3]);
    assert.ok(Date.now() - started >= 850, `three 0.3 s jobs in one slot took ${Date.now() - started} ms`);
  });

  test('a timeout runs from the process start, not from the time spent queued', async () => {
    const launcher = createLauncher({ python: requirePython(), slots: 1 });
    after(() => launcher.close());
    const [first, second] = await Promise.all([
      launcher.run({ command: 'sleep 0.6', cwd: dir, env: TEST_ENV, onOutput: () => {} }),
      launcher.run({ command: 'sleep 0.2', cwd: dir, env: TEST_ENV, timeoutMs: 500, onOutput: () => {} }),
    ]);
    assert.equal(first.status, 'succeeded');
    assert.equal(second.status, 'succeeded', JSON.stringify(second));
  });

  test('cancelling a queued job takes it out of the queue: it never starts', async () => {
    const launcher = createLauncher({ python: requirePython(), slots: 1 });
    after(() => launcher.close());
    const controller = new AbortController();
    let queuedStarted = false;
    const blocker = launcher.run({ command: 'sleep 0.5', cwd: dir, env: TEST_ENV, onOutput: () => {} });
    const queued = launcher.run({
      command: 'echo should-not-run',
      cwd: dir,
      env: TEST_ENV,
      signal: controller.signal,
      onStart: () => {
        queuedStarted = true;
      },
      onOutput: () => {},
    });
    setTimeout(() => controller.abort(), 100);
    const [b, q] = await Promise.all([blocker, queued]);
    assert.equal(b.status, 'succeeded');
    assert.deepEqual(q.status, 'cancelled');
    assert.equal(q.status === 'cancelled' && q.pid, undefined);
    assert.equal(queuedStarted, false);
  });
});
