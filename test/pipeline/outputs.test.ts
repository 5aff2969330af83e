// $SLIPWAY_OUTPUT: name=value lines and heredoc blocks reach dependents; a malformed line fails the job.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { show } from './helpers/cli.js';
import { finishedJobs, logTextOf, runStatusOf, statusByJob } from './helpers/events.js';
import { createProject } from './helpers/project.js';

describe('job outputs', { concurrency: true }, () => {
  test('a name=value line and a heredoc block are readable by dependents', async (t) => {
    const project = createProject(t, 'outputs-line-and-heredoc.yaml');
    const { result, events } = await project.runJson(['run']);
    assert.equal(result.code, 0, show(result));
    assert.deepEqual(statusByJob(events), { produce: 'success', consume: 'success' });
    assert.equal(project.read('v.txt'), '1\n');
    assert.equal(project.read('notes.txt'), 'line one\nline two = still the value');
  });

  test('a malformed $SLIPWAY_OUTPUT line fails the job with a message naming SLIPWAY_OUTPUT', async (t) => {
    const project = createProject(t, 'outputs-malformed-line.yaml');
    const { result, events } = await project.runJson(['run']);
    assert.equal(result.code, 1, show(result));
    assert.equal(runStatusOf(events), 'failure');
    assert.deepEqual(statusByJob(events), { produce: 'failure', consume: 'skipped' });
    assert.match(finishedJobs(events).get('produce')?.message ?? '', /SLIPWAY_OUTPUT/);
    assert.ok(
      logTextOf(events, 'produce').some((line) => /SLIPWAY_OUTPUT.*line 2/.test(line)),
      'no log line points at line 2 of $SLIPWAY_OUTPUT',
    );
    assert.equal(project.exists('ran-consume'), false);
  });
});
