// Jobs that misbehave get a clear status without hanging the runner, and no recorded run is lost.
// All of them run in one project: an ordinary run first, then the misbehaving jobs side by side (each
// its own `slipway run --job`, so several processes share the state database), then a check that
// `slipway runs` still lists every run with its status.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { show } from './helpers/cli.js';
import { finishedJobs, type JobFinished, runIdOf } from './helpers/events.js';
import { isRunning } from './helpers/processes.js';
import { createProject, type Project } from './helpers/project.js';

describe('bad input', () => {
  const project: Project = createProject({ after }, 'bad-input-jobs.yaml');
  const recorded = new Map<number, string>();

  /** Runs one job with --job and records the run's final status. */
  async function runJob(
    job: string,
    timeoutMs = 20_000,
  ): Promise<{ finished: JobFinished; id: number; ms: number }> {
    const { result, events } = await project.runJson(['run', '--job', job], { timeoutMs });
    const finished = finishedJobs(events).get(job);
    assert.ok(finished, `no job.finished for ${job}\n${show(result)}`);
    assert.equal(result.code, finished.status === 'success' ? 0 : 1, show(result));
    const id = runIdOf(events);
    recorded.set(id, finished.status === 'success' ? 'success' : 'failure');
    return { finished, id, ms: result.ms };
  }

  test('an ordinary run first', async () => {
    const { finished } = await runJob('baseline');
    assert.equal(finished.status, 'success');
  });

  describe('misbehaving jobs', { concurrency: true }, () => {
    test('a command that is not found fails the job with a message about exit 127', async () => {
      const { finished } = await runJob('not_found');
      assert.equal(finished.status, 'failure');
      assert.equal(finished.exitCode, 127);
      assert.match(finished.message ?? '', /127/);
    });

    test('100 MB of output: the job completes, the stored log is truncated with a note', async (t) => {
      const { finished, id, ms } = await runJob('flood', 30_000);
      t.diagnostic(`flood run took ${Math.round(ms)}ms`);
      assert.equal(finished.status, 'success');
      assert.ok(ms < 20_000, `writing 100 MB took ${ms}ms`);
      const rows = await project.logs(id, 'flood');
      const stored = rows.reduce((sum, row) => sum + row.text.length + 1, 0);
      assert.ok(stored < 20 * 1024 * 1024, `${stored} bytes of the log were stored`);
      assert.ok(rows.length > 1000, `only ${rows.length} lines were stored`);
      assert.ok(
        rows.some((row) => row.stream === 'system' && /truncated/.test(row.text)),
        'no system line says the log was truncated',
      );
    });

    test('a job that forks a daemon and exits succeeds promptly and the daemon is stopped', async () => {
      const { finished } = await runJob('daemon');
      assert.equal(finished.status, 'success');
      assert.ok(finished.durationMs < 3000, `the job took ${finished.durationMs}ms`);
      const pid = project.pid('daemon.pid');
      assert.equal(isRunning(pid), false, `the daemon (pid ${pid}) outlived its job`);
    });

    test('a job that ignores SIGTERM is killed after the grace period and ends timed_out', async (t) => {
      const { finished } = await runJob('ignores_term');
      assert.equal(finished.status, 'timed_out');
      const grace = finished.durationMs - 1000;
      t.diagnostic(
        `job took ${finished.durationMs}ms with timeout 1000ms: SIGTERM-to-SIGKILL grace ~${grace}ms`,
      );
      assert.ok(finished.durationMs >= 1000, `timed out after only ${finished.durationMs}ms`);
      assert.ok(finished.durationMs < 1000 + 5000 + 2500, `took ${finished.durationMs}ms (grace is 5 s)`);
      const pid = project.pid('stubborn.pid');
      assert.equal(isRunning(pid), false, `the TERM-ignoring sleep (pid ${pid}) survived`);
    });

    test('a malformed $SLIPWAY_OUTPUT line fails the job with a clear message', async () => {
      const { finished } = await runJob('bad_output');
      assert.equal(finished.status, 'failure');
      assert.match(finished.message ?? '', /SLIPWAY_OUTPUT/);
    });
  });

  test('`slipway runs` still lists every run with its status', async () => {
    assert.equal(recorded.size, 6, 'an earlier test did not get to record its run');
    const runs = await project.runs();
    assert.deepEqual(
      runs.map((r) => [r.id, r.status]),
      [...recorded].sort(([a], [b]) => b - a),
      'the run list lost or changed a run',
    );
  });
});
