// `if:` conditions: status functions, skips that propagate, the needs/matrix/env/git contexts, interpolation.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { show } from './helpers/cli.js';
import { finishedJobs, runStatusOf, statusByJob } from './helpers/events.js';
import { createProject, headSha } from './helpers/project.js';

const ran = (project: { exists(p: string): boolean }, names: readonly string[]) =>
  names.filter((name) => project.exists(`ran-${name}`));

describe('if conditions', { concurrency: true }, () => {
  test('failure() runs after a failure, always() always, the default only on success; skips propagate', async (t) => {
    const project = createProject(t, 'if-status-functions.yaml');
    const { result, events } = await project.runJson(['run']);
    assert.equal(result.code, 1, show(result));
    assert.equal(runStatusOf(events), 'failure');
    assert.deepEqual(statusByJob(events), {
      breaks: 'failure',
      on_failure: 'success',
      always_runs: 'success',
      by_default: 'skipped',
      after_skipped: 'skipped',
    });
    assert.equal(finishedJobs(events).get('breaks')?.exitCode, 3);
    assert.deepEqual(ran(project, ['on-failure', 'always', 'by-default', 'after-skipped']), [
      'on-failure',
      'always',
    ]);
  });

  test('on a green run failure() jobs are skipped; a false condition skips the job and its dependents', async (t) => {
    const project = createProject(t, 'if-all-green.yaml');
    const { result, events } = await project.runJson(['run'], { env: { RELEASE: 'no' } });
    assert.equal(result.code, 0, show(result));
    assert.equal(runStatusOf(events), 'success');
    assert.deepEqual(statusByJob(events), {
      ok: 'success',
      on_failure: 'skipped',
      gated: 'skipped',
      after_gated: 'skipped',
      after_gated_always: 'success',
    });
    assert.deepEqual(ran(project, ['on-failure', 'gated', 'after-gated']), []);
    assert.equal(project.read('after-gated-always.txt'), 'skipped\n');
  });

  test('needs.*.result, needs.*.outputs, matrix, env, git and bare conditions; ${{ }} in run and env', async (t) => {
    const project = createProject(t, 'if-contexts.yaml', { git: true });
    const { result, events } = await project.runJson(['run'], { env: { DEPLOY_TARGET: 'moon' } });
    assert.equal(result.code, 0, show(result));
    assert.deepEqual(statusByJob(events), {
      producer: 'success',
      by_result: 'success',
      by_output: 'success',
      by_output_false: 'skipped',
      'by_matrix[flavor=sweet]': 'skipped',
      'by_matrix[flavor=sour]': 'success',
      by_env: 'success',
      by_env_false: 'skipped',
      by_git: 'success',
      bare: 'success',
      bare_false: 'skipped',
      interpolated: 'success',
    });
    assert.deepEqual(
      ran(project, ['by-result', 'by-output-false', 'by-env', 'by-env-false', 'bare', 'bare-false']),
      ['by-result', 'by-env', 'bare'],
    );
    assert.equal(project.read('by-output.txt'), 'blue\n');
    assert.equal(project.exists('matrix-sweet.txt'), false);
    assert.equal(project.read('matrix-sour.txt'), 'sour\n');
    assert.equal(project.read('git.txt'), `main ${headSha(project)}\n`);
    assert.equal(project.read('interpolated.txt'), 'hello moon from main; target moon\n');
    const [run] = await project.runs();
    assert.deepEqual([run?.branch, run?.commitSha], ['main', headSha(project)]);
  });
});
