// Cache: miss and save, exact hit, restoreKeys prefix fallback. Artifacts: handed to dependents, and
// restored when `rerun --failed` reuses the job that produced them.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { show } from './helpers/cli.js';
import { logTextOf, runIdOf, statusByJob } from './helpers/events.js';
import { createProject } from './helpers/project.js';

describe('cache and artifacts', { concurrency: true }, () => {
  test('cache: the first run misses and saves, the next restores, a new key falls back to a prefix', async (t) => {
    const project = createProject(t, 'cache-with-restore-keys.yaml');

    const first = await project.runJson(['run'], { env: { CACHE_VERSION: 'v1' } });
    assert.equal(first.result.code, 0, show(first.result));
    const firstLog = logTextOf(first.events, 'deps').join('\n');
    assert.match(firstLog, /cache miss: deps-v1/);
    assert.match(firstLog, /cache saved: deps-v1/);

    project.remove('vendor');
    const second = await project.runJson(['run'], { env: { CACHE_VERSION: 'v1' } });
    assert.equal(second.result.code, 0, show(second.result));
    assert.match(logTextOf(second.events, 'deps').join('\n'), /cache hit: deps-v1/);

    project.remove('vendor');
    const third = await project.runJson(['run'], { env: { CACHE_VERSION: 'v2' } });
    assert.equal(third.result.code, 0, show(third.result));
    assert.match(logTextOf(third.events, 'deps').join('\n'), /cache restored from deps-v1/);

    assert.deepEqual(project.read('cache-report.txt').trimEnd().split('\n'), [
      'missing',
      'restored built-by-v1',
      'restored built-by-v1',
    ]);
  });

  test('artifacts: a dependent gets dist/ even after another job deleted it', async (t) => {
    const project = createProject(t, 'artifacts-survive-cleanup.yaml');
    const { result, events } = await project.runJson(['run']);
    assert.equal(result.code, 0, show(result));
    assert.deepEqual(statusByJob(events), { build: 'success', clean: 'success', package: 'success' });
    assert.match(logTextOf(events, 'build').join('\n'), /artifacts stored: 2 files/);
    assert.equal(project.read('packaged.txt'), 'app v1\nnested\n');
  });

  test('rerun --failed reuses the producer and restores its artifacts for the failed job', async (t) => {
    const project = createProject(t, 'artifacts-rerun-failed.yaml', { files: { 'fail-package.flag': '' } });
    const first = await project.runJson(['run']);
    assert.equal(first.result.code, 1, show(first.result));
    assert.deepEqual(statusByJob(first.events), { build: 'success', package: 'failure' });
    const firstId = runIdOf(first.events);

    project.remove('fail-package.flag');
    project.remove('dist');
    const again = await project.runJson(['rerun', String(firstId), '--failed']);
    assert.equal(again.result.code, 0, show(again.result));
    const againId = runIdOf(again.events);
    assert.notEqual(againId, firstId);
    assert.equal(statusByJob(again.events).package, 'success');
    assert.ok(
      !again.events.some((e) => e.type === 'job.started' && e.job === 'build'),
      'build was started again',
    );
    assert.equal(project.read('build.count'), '1\n', 'build ran again');
    assert.equal(project.read('package.count'), '2\n');
    assert.equal(project.read('packaged.txt'), 'app v1\nnested\n');

    const runs = await project.runs();
    assert.deepEqual(
      runs.map((r) => [r.id, r.status, r.trigger]),
      [
        [againId, 'success', `rerun:${firstId}`],
        [firstId, 'failure', 'cli'],
      ],
    );
  });
});
