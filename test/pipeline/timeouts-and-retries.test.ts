// timeout (with every process of the job stopped), retry with kept logs and back-off, continueOnError.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { show } from './helpers/cli.js';
import { finishedJobs, runIdOf, runStatusOf, statusByJob } from './helpers/events.js';
import { isRunning } from './helpers/processes.js';
import { createProject } from './helpers/project.js';
import { readTimeline, spanOf } from './helpers/timeline.js';

describe('timeouts, retries and continueOnError', { concurrency: true }, () => {
  test('timeout: 1s stops the job as timed_out quickly and leaves none of its processes', async (t) => {
    const project = createProject(t, 'timeout-background-sleeps.yaml');
    const { result, events } = await project.runJson(['run']);
    assert.equal(result.code, 1, show(result));
    assert.equal(runStatusOf(events), 'failure');
    const slow = finishedJobs(events).get('slow');
    assert.equal(slow?.status, 'timed_out', show(result));
    assert.ok(slow.durationMs >= 1000, `timed out after only ${slow.durationMs}ms`);
    assert.ok(slow.durationMs < 3000, `took ${slow.durationMs}ms to stop a job with a 1 s timeout`);
    assert.match(slow.message ?? '', /timed out/);
    assert.ok(result.ms < 8000, `slipway run took ${result.ms}ms`);
    for (const file of ['shell.pid', 'background.pid']) {
      const pid = project.pid(file);
      assert.equal(isRunning(pid), false, `${file} (${pid}) still runs after the run ended`);
    }
  });

  test('retry: 2 passes on the third attempt and keeps the log of every attempt', async (t) => {
    const project = createProject(t, 'retry-fails-twice-then-passes.yaml');
    const { result, events } = await project.runJson(['run']);
    assert.equal(result.code, 0, show(result));
    const flaky = finishedJobs(events).get('flaky');
    assert.equal(flaky?.status, 'success');
    assert.equal(flaky.attempts, 3);
    assert.equal(project.read('attempts.count'), '3\n');
    assert.deepEqual(
      events.flatMap((e) => (e.type === 'job.started' ? [e.attempt] : [])),
      [1, 2, 3],
    );

    const id = runIdOf(events);
    const rows = await project.logs(id, 'flaky');
    const byAttempt = (n: number) => rows.filter((r) => r.attempt === n).map((r) => r.text);
    assert.ok(byAttempt(1).includes('attempt 1 running'), JSON.stringify(rows));
    assert.ok(byAttempt(1).includes('attempt 1 fails'), JSON.stringify(rows));
    assert.ok(byAttempt(2).includes('attempt 2 fails'), JSON.stringify(rows));
    assert.ok(byAttempt(3).includes('attempt 3 passes'), JSON.stringify(rows));
    const plain = await project.run(['logs', String(id), 'flaky']);
    assert.equal(plain.code, 0, show(plain));
    for (const n of [1, 2, 3]) assert.match(plain.stdout, new RegExp(`^attempt ${n} running$`, 'm'));
  });

  test('retry with back-off waits between attempts and fails after the last one', async (t) => {
    const project = createProject(t, 'retry-exhausted-with-backoff.yaml');
    const { result, events } = await project.runJson(['run']);
    assert.equal(result.code, 1, show(result));
    assert.deepEqual(statusByJob(events), { hopeless: 'failure', after_hopeless: 'skipped' });
    const hopeless = finishedJobs(events).get('hopeless');
    assert.equal(hopeless?.attempts, 2);
    assert.equal(hopeless.exitCode, 7);
    const spans = readTimeline(project.path('timeline.log'));
    const gap = spanOf(spans, 'try2').start - spanOf(spans, 'try1').end;
    assert.ok(gap >= 400, `attempt 2 started ${gap}ms after attempt 1 ended; the back-off is 400ms`);
  });

  test('continueOnError: the job fails, the run succeeds and its dependents run', async (t) => {
    const project = createProject(t, 'continue-on-error.yaml');
    const { result, events } = await project.runJson(['run']);
    assert.equal(result.code, 0, show(result));
    assert.equal(runStatusOf(events), 'success');
    assert.deepEqual(statusByJob(events), { lint: 'failure', after_lint: 'success' });
    assert.equal(finishedJobs(events).get('lint')?.exitCode, 4);
    assert.equal(project.exists('ran-after-lint'), true);
    const [run] = await project.runs();
    assert.equal(run?.status, 'success');
  });
});
