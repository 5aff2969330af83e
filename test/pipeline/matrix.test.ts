// Matrix legs: one per combination with include/exclude, failFast cancellation, maxParallel.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { describe, test } from 'node:test';
import { show } from './helpers/cli.js';
import { finishedJobs, runStatusOf, statusByJob } from './helpers/events.js';
import { isRunning } from './helpers/processes.js';
import { createProject } from './helpers/project.js';
import { overlaps, readTimeline, spanOf } from './helpers/timeline.js';

describe('matrix', { concurrency: true }, () => {
  test('one leg per combination, minus exclude, plus include; each leg sees its matrix values', async (t) => {
    const project = createProject(t, 'matrix-include-exclude.yaml');
    const { result, events } = await project.runJson(['run']);
    assert.equal(result.code, 0, show(result));
    assert.deepEqual(statusByJob(events), {
      'test[node=18, os=a]': 'success',
      'test[node=20, os=a]': 'success',
      'test[node=20, os=b]': 'success',
      'test[node=22, os=c]': 'success',
    });
    assert.deepEqual(finishedJobs(events).get('test[node=22, os=c]')?.matrix, { node: 22, os: 'c' });
    assert.deepEqual(project.read('legs.txt').trimEnd().split('\n').sort(), [
      '18-a test[node=18, os=a]',
      '20-a test[node=20, os=a]',
      '20-b test[node=20, os=b]',
      '22-c test[node=22, os=c]',
    ]);
  });

  test('failFast: one failing leg cancels the running and the pending legs', async (t) => {
    const project = createProject(t, 'matrix-fail-fast.yaml');
    const { result, events } = await project.runJson(['run', '--concurrency', '3']);
    assert.equal(result.code, 1, show(result));
    assert.equal(runStatusOf(events), 'failure');
    assert.deepEqual(statusByJob(events), {
      'shard[n=1]': 'failure',
      'shard[n=2]': 'cancelled',
      'shard[n=3]': 'cancelled',
      'shard[n=4]': 'cancelled',
    });
    assert.equal(project.exists('started-4'), false, 'the pending leg started anyway');
    assert.ok(result.ms < 10_000, `took ${result.ms}ms: the cancelled legs were not stopped promptly`);
    const pidFiles = readdirSync(project.dir).filter((name) => /^shard-\d\.pid$/.test(name));
    for (const file of pidFiles) assert.equal(isRunning(project.pid(file)), false, `${file} still runs`);
  });

  test('failFast: false lets the other legs finish', async (t) => {
    const project = createProject(t, 'matrix-no-fail-fast.yaml');
    const { result, events } = await project.runJson(['run', '--concurrency', '3']);
    assert.equal(result.code, 1, show(result));
    assert.deepEqual(statusByJob(events), {
      'shard[n=1]': 'failure',
      'shard[n=2]': 'success',
      'shard[n=3]': 'success',
    });
    assert.equal(project.exists('finished-2') && project.exists('finished-3'), true);
  });

  test('maxParallel: 1 runs the legs one at a time', async (t) => {
    const project = createProject(t, 'matrix-max-parallel-one.yaml');
    const { result, events } = await project.runJson(['run', '--concurrency', '4']);
    assert.equal(result.code, 0, show(result));
    assert.equal(Object.keys(statusByJob(events)).length, 3);
    const spans = readTimeline(project.path('timeline.log'));
    const legs = ['leg1', 'leg2', 'leg3'].map((label) => spanOf(spans, label));
    for (let i = 0; i < legs.length; i++) {
      for (let j = i + 1; j < legs.length; j++) {
        assert.ok(!overlaps(legs[i]!, legs[j]!), `legs ${i + 1} and ${j + 1} overlapped`);
      }
    }
  });
});
