import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import {
  liveGroupMembers,
  RUNNERS,
  TEST_ENV,
  waitForNoSuchGroup,
} from '../../../test/helpers/process-runners.js';
import type { ProcessResult, RunProcessOptions } from './process-result.js';
import type { ProcessRunner } from './process-runner.js';

const dir = realpathSync(mkdtempSync(join(tmpdir(), 'slipway-termination-')));
after(() => rmSync(dir, { recursive: true, force: true }));

async function run(runner: ProcessRunner, command: string, overrides: Partial<RunProcessOptions> = {}) {
  let output = '';
  const started = Date.now();
  const result = await runner.run({
    command,
    cwd: dir,
    env: TEST_ENV,
    onOutput: (_stream, chunk) => {
      output += chunk;
    },
    ...overrides,
  });
  return { result, output, elapsed: Date.now() - started };
}

function pidOf(result: ProcessResult): number {
  assert.ok('pid' in result && result.pid !== undefined, `no pid in ${JSON.stringify(result)}`);
  return result.pid;
}

/** Nothing of the group runs when the result is in, and the group disappears entirely soon after. */
async function assertGroupGone(pid: number): Promise<void> {
  assert.deepEqual(liveGroupMembers(pid), []);
  assert.ok(await waitForNoSuchGroup(pid, 5000), `process group ${pid} still exists`);
}

for (const [kind, make] of RUNNERS) {
  const runner = make();
  after(() => runner.close());
  describe(`runProcess termination (${kind})`, { concurrency: true }, () => {
    test('a timeout kills the whole process tree', async () => {
      const { result, elapsed } = await run(runner, 'sleep 30 & sleep 30; wait', {
        timeoutMs: 300,
        graceMs: 1000,
      });
      assert.equal(result.status, 'timed_out');
      assert.ok(result.status === 'timed_out' && result.timeoutMs === 300);
      assert.ok(elapsed >= 290 && elapsed < 300 + 1000 + 1000, `took ${elapsed} ms`);
      await assertGroupGone(pidOf(result));
    });

    test('SIGTERM comes first: a job that handles it can clean up', async () => {
      const { result, output, elapsed } = await run(
        runner,
        "trap 'echo got-term; exit 0' TERM; sleep 30 & wait",
        {
          timeoutMs: 300,
          graceMs: 3000,
        },
      );
      assert.equal(result.status, 'timed_out');
      assert.equal(output, 'got-term\n');
      assert.ok(elapsed < 2000, `waited for the grace period: ${elapsed} ms`);
      await assertGroupGone(pidOf(result));
    });

    test('a job that ignores SIGTERM is SIGKILLed after the grace period', async () => {
      const { result, elapsed } = await run(runner, "trap '' TERM; sleep 30", {
        timeoutMs: 200,
        graceMs: 600,
      });
      assert.equal(result.status, 'timed_out');
      assert.ok(elapsed >= 200 + 600 - 20, `killed before the grace period ended: ${elapsed} ms`);
      // Without the SIGKILL the job would run its 30 s sleep; the margin is for a loaded machine.
      assert.ok(elapsed < 200 + 600 + 4000, `took ${elapsed} ms`);
      await assertGroupGone(pidOf(result));
    });

    test('a background child holding stdout does not keep the job open and is killed', async () => {
      const { result, output, elapsed } = await run(runner, '(sleep 30 &); echo done');
      assert.equal(result.status, 'succeeded');
      assert.equal(output, 'done\n');
      assert.ok(elapsed < 2000, `took ${elapsed} ms`);
      await assertGroupGone(pidOf(result));
    });

    test('a nohup daemon left behind is killed when the job exits', async () => {
      const { result, output, elapsed } = await run(runner, 'nohup sleep 30 >/dev/null 2>&1 & echo done');
      assert.equal(result.status, 'succeeded');
      assert.equal(output, 'done\n');
      assert.ok(elapsed < 2000, `took ${elapsed} ms`);
      await assertGroupGone(pidOf(result));
    });

    test('aborting the signal cancels the job and kills its tree', async () => {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 300);
      const { result, elapsed } = await run(runner, 'sleep 30 & sleep 30; wait', {
        signal: controller.signal,
        graceMs: 1000,
      });
      assert.equal(result.status, 'cancelled');
      assert.ok(elapsed < 300 + 1000 + 1000, `took ${elapsed} ms`);
      await assertGroupGone(pidOf(result));
    });

    test('an already aborted signal starts nothing', async () => {
      const marker = join(dir, 'started');
      const { result } = await run(runner, `touch ${marker}`, { signal: AbortSignal.abort() });
      assert.equal(result.status, 'cancelled');
      assert.ok(result.status === 'cancelled' && result.pid === undefined);
      assert.equal(existsSync(marker), false);
    });

    test('a job finishing before its timeout succeeds', async () => {
      const { result } = await run(runner, 'sleep 0.1', { timeoutMs: 5000 });
      assert.equal(result.status, 'succeeded');
    });
  });
}
