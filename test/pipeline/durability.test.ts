// A killed run resumes from the store; `runs`, `logs` and `logs --follow` read what runs recorded.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { show } from './helpers/cli.js';
import { runIdOf, runStatusOf, startedRunId, statusByJob } from './helpers/events.js';
import { isRunning, waitFor } from './helpers/processes.js';
import { createProject } from './helpers/project.js';
import { waitForStoredJobStatus } from './helpers/state-db.js';

describe('durability and run history', { concurrency: true }, () => {
  test('SIGKILL during job 2 of 3, then `slipway resume` finishes the run without re-running job 1', async (t) => {
    const project = createProject(t, 'three-job-chain-for-resume.yaml');
    const running = project.start(['run', '--json']);
    await waitFor(() => project.exists('two-first-attempt.pid'), 'job two to start');
    const id = await startedRunId(running.stdout);
    running.child.kill('SIGKILL');
    const killed = await running.result;
    assert.equal(killed.signal, 'SIGKILL');

    const [stale] = await project.runs();
    assert.equal(stale?.status, 'running', 'the killed run should still be recorded as running');

    const resumed = await project.runJson(['resume', String(id)]);
    assert.equal(resumed.result.code, 0, show(resumed.result));
    assert.equal(runIdOf(resumed.events), id);
    assert.equal(runStatusOf(resumed.events), 'success');
    assert.deepEqual(statusByJob(resumed.events), { two: 'success', three: 'success' });
    assert.equal(project.read('one.count'), '1\n', 'job one ran again');
    assert.equal(project.read('two.count'), '2\n');
    assert.equal(project.read('three.count'), '1\n');
    const [run] = await project.runs();
    assert.deepEqual([run?.id, run?.status], [id, 'success']);

    await t.test('`slipway logs RUN [JOB]` prints the stored lines', async () => {
      const three = await project.run(['logs', String(id), 'three']);
      assert.equal(three.code, 0, show(three));
      assert.equal(three.stdout, 'three done\n');
      const all = await project.run(['logs', String(id)]);
      assert.equal(all.code, 0, show(all));
      assert.match(all.stdout, /^two \| two attempt 2$/m);
      assert.match(all.stdout, /^three \| three done$/m);
    });

    await t.test('`slipway runs` lists the run', async () => {
      const runs = await project.run(['runs']);
      assert.equal(runs.code, 0, show(runs));
      assert.match(runs.stdout, new RegExp(`^\\s*${id}\\s+success\\s`, 'm'));
    });
  });

  test('the log of a job recorded as finished survives a SIGKILL of the runner', async (t) => {
    const project = createProject(t, 'three-job-chain-for-resume.yaml');
    const running = project.start(['run', '--json']);
    await running.waitForStdout(/"type":"run\.started"/);
    const id = await startedRunId(running.stdout);
    await waitForStoredJobStatus(project, id, 'one', 'success');
    running.child.kill('SIGKILL');
    await running.result;
    const logs = await project.run(['logs', String(id), 'one']);
    assert.equal(logs.code, 0, show(logs));
    assert.equal(logs.stdout, 'one done\n', 'job one is stored as success but its log is gone');
  });

  // Not in the written contract, but "no process of a job outlives it" suggests it: the job the killed
  // runner left behind keeps running next to the resumed attempt of the same job.
  test('resume stops what the killed runner left running before running that job again', async (t) => {
    const project = createProject(t, 'three-job-chain-for-resume.yaml');
    const running = project.start(['run', '--json']);
    await waitFor(() => project.exists('two-first-attempt.pid'), 'job two to start');
    const id = await startedRunId(running.stdout);
    running.child.kill('SIGKILL');
    await running.result;
    const orphan = project.pid('two-first-attempt.pid');
    const resumed = await project.run(['resume', String(id)]);
    assert.equal(resumed.code, 0, show(resumed));
    assert.equal(isRunning(orphan), false, `job two's first attempt (pid ${orphan}) still runs after resume`);
  });

  test('`slipway logs --follow` streams a running run and exits when it ends', async (t) => {
    const project = createProject(t, 'slow-ticker-for-follow.yaml');
    const running = project.start(['run'], { timeoutMs: 30_000 });
    await running.waitForStdout(/ticker: started/);
    const id = Number(/run (\d+) started/.exec(running.stdout())?.[1]);
    assert.ok(id > 0, running.stdout());
    const follow = project.start(['logs', String(id), 'ticker', '--follow'], { timeoutMs: 30_000 });
    await follow.waitForStdout(/^tick 1$/m, 15_000);
    project.write('follow-saw-tick-1', '');
    const run = await running.result;
    const runEndedAt = performance.now();
    assert.equal(run.code, 0, show(run));
    const followed = await follow.result;
    const lag = performance.now() - runEndedAt;
    assert.equal(followed.code, 0, show(followed));
    assert.ok(lag < 3000, `--follow kept going ${Math.round(lag)}ms after the run ended`);
    assert.deepEqual(followed.stdout.trimEnd().split('\n'), ['tick 1', 'tick 2', 'tick 3']);
  });
});
