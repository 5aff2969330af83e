// Jobs run under `bash -eo pipefail`, in the project directory or their workdir, with job env over the runner's.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { show } from './helpers/cli.js';
import { finishedJobs, logTextOf, runStatusOf, statusByJob } from './helpers/events.js';
import { createProject } from './helpers/project.js';

describe('job shell', { concurrency: true }, () => {
  test('strict bash, working directory and environment', async (t) => {
    const project = createProject(t, 'shell-strict-mode.yaml', { files: { 'packages/app/.keep': '' } });
    const { result, events } = await project.runJson(['run'], {
      env: { FROM_RUNNER: 'from-runner', OVERRIDDEN: 'from-runner' },
    });
    assert.equal(result.code, 1, show(result));
    assert.equal(runStatusOf(events), 'failure');
    assert.deepEqual(statusByJob(events), {
      fails_mid_script: 'failure',
      fails_in_pipe: 'failure',
      in_project_dir: 'success',
      in_workdir: 'success',
    });
    const jobs = finishedJobs(events);

    await t.test('a failing command in the middle of `run` fails the job and stops it', () => {
      assert.equal(jobs.get('fails_mid_script')?.exitCode, 1);
      const log = logTextOf(events, 'fails_mid_script');
      assert.ok(log.includes('before the failing command'), log.join('\n'));
      assert.ok(!log.includes('after the failing command'), log.join('\n'));
      assert.equal(project.exists('mid-script-continued'), false);
    });

    await t.test('`false | true` fails the job (pipefail)', () => {
      assert.equal(jobs.get('fails_in_pipe')?.exitCode, 1);
      assert.equal(project.exists('pipe-continued'), false);
    });

    await t.test('a job runs in the project directory by default', () => {
      assert.equal(project.read('pwd-project.txt'), `${project.dir}\n`);
    });

    await t.test('a job with workdir runs in that directory', () => {
      assert.equal(project.read('pwd-workdir.txt'), `${project.path('packages/app')}\n`);
    });

    await t.test('job env is merged over the runner environment', () => {
      assert.equal(project.read('env-project.txt'), 'from-runner from-job 3\n');
    });
  });
});
