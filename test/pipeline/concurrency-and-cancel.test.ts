// Concurrency groups (queue or cancel-in-progress) and cancelling a run with Ctrl-C or `slipway cancel`.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { show } from './helpers/cli.js';
import { runEvents, runIdOf, runStatusOf, startedRunId, statusByJob } from './helpers/events.js';
import { isRunning, waitFor } from './helpers/processes.js';
import { createProject, type Project } from './helpers/project.js';
import { overlaps, readTimeline, spanOf } from './helpers/timeline.js';

/** Asserts what a cancelled run of cancel-mid-job-with-always-cleanup.yaml left behind. */
async function assertCancelledCleanly(project: Project, stdout: string): Promise<void> {
  const events = runEvents(stdout);
  assert.equal(runStatusOf(events), 'cancelled');
  const statuses = statusByJob(events);
  assert.equal(statuses.long, 'cancelled');
  assert.equal(statuses.after_long, 'cancelled');
  assert.equal(project.exists('ran-after-long'), false);
  for (const file of ['long-shell.pid', 'long-sleep.pid']) {
    const pid = project.pid(file);
    assert.equal(isRunning(pid), false, `${file} (${pid}) still runs`);
  }
  const [run] = await project.runs();
  assert.equal(run?.status, 'cancelled');
  const finished = (await project.events(runIdOf(events))).filter((e) => e.type === 'pipelinerun.finished');
  assert.deepEqual(
    finished.map((e) => e.data.status),
    ['cancelled'],
  );
  // Last, so a failure here does not hide the checks above.
  assert.equal(statuses.cleanup, 'success', 'the always() job did not run to success after the cancel');
  assert.equal(project.exists('ran-cleanup'), true, 'the always() job did not run');
}

describe('concurrency groups and cancellation', { concurrency: true }, () => {
  test('two runs of one concurrency group started together do not overlap', async (t) => {
    const project = createProject(t, 'concurrency-group-queue.yaml');
    const [a, b] = [project.start(['run']), project.start(['run'])];
    const [ra, rb] = await Promise.all([a!.result, b!.result]);
    assert.equal(ra.code, 0, show(ra));
    assert.equal(rb.code, 0, show(rb));
    const spans = readTimeline(project.path('timeline.log'));
    const [first, second] = [spanOf(spans, 'run1'), spanOf(spans, 'run2')];
    assert.ok(!overlaps(first, second), `runs overlapped: ${JSON.stringify({ first, second })}`);
    const runs = await project.runs();
    assert.deepEqual(runs.map((r) => r.status).sort(), ['success', 'success']);
  });

  test('cancelInProgress: a newer run of the group cancels the one in progress', async (t) => {
    const project = createProject(t, 'concurrency-group-cancel-in-progress.yaml');
    const older = project.start(['run', '--json']);
    await waitFor(() => project.exists('first-sleep.pid'), 'the first run to start its job');
    const olderId = await startedRunId(older.stdout);
    const newer = await project.runJson(['run']);
    const olderResult = await older.result;

    assert.equal(olderResult.code, 130, show(olderResult));
    assert.equal(runStatusOf(runEvents(olderResult.stdout)), 'cancelled');
    assert.deepEqual(statusByJob(runEvents(olderResult.stdout)), { work: 'cancelled' });
    assert.equal(newer.result.code, 0, show(newer.result));
    const newerId = runIdOf(newer.events);
    assert.equal(project.read('done.txt'), `run ${newerId} done\n`);
    assert.equal(
      isRunning(project.pid('first-sleep.pid')),
      false,
      'the cancelled run left its sleep running',
    );
    const runs = await project.runs();
    assert.deepEqual(
      runs.map((r) => [r.id, r.status]),
      [
        [newerId, 'success'],
        [olderId, 'cancelled'],
      ],
    );
  });

  test('SIGINT cancels the running job, still runs always() jobs, exits 130 and leaves no process', async (t) => {
    const project = createProject(t, 'cancel-mid-job-with-always-cleanup.yaml');
    const running = project.start(['run', '--json']);
    await waitFor(() => project.exists('long-sleep.pid'), 'job long to start its sleep');
    const sent = performance.now();
    running.child.kill('SIGINT');
    const result = await running.result;
    const took = performance.now() - sent;
    assert.equal(result.code, 130, show(result));
    assert.ok(took < 4000, `exiting after SIGINT took ${took}ms`);
    await assertCancelledCleanly(project, result.stdout);
  });

  test('`slipway cancel RUN` from another process does the same', async (t) => {
    const project = createProject(t, 'cancel-mid-job-with-always-cleanup.yaml');
    const running = project.start(['run', '--json']);
    await waitFor(() => project.exists('long-sleep.pid'), 'job long to start its sleep');
    const id = await startedRunId(running.stdout);
    const cancel = await project.run(['cancel', String(id)]);
    assert.equal(cancel.code, 0, show(cancel));
    assert.match(cancel.stdout, new RegExp(`run ${id}`));
    const result = await running.result;
    assert.equal(result.code, 130, show(result));
    await assertCancelledCleanly(project, result.stdout);
  });
});
