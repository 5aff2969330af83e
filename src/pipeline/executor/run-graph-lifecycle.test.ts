// The run graph on plain data: cancellation, deploy environments, and the results a resumed or
// re-run run starts from, each scenario mirroring a fixture of test/pipeline.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  always,
  cancelledEnd,
  environment,
  failed,
  failure,
  graphOf,
  job,
  judgeOf,
  manifest,
  noIf,
  ok,
  planOf,
  summary,
} from '../../../test/helpers/run-graph-builders.js';
import { type ConditionJudge, jobRules } from './run-graph.js';

describe('cancellation', () => {
  test('dependents of a cancelled job are cancelled; an always() job still runs', () => {
    // cancel-mid-job-with-always-cleanup.yaml
    const graph = graphOf(
      planOf(job('long'), job('after_long', { needs: ['long'] }), job('cleanup', { needs: ['long'] })),
    );
    const judge = judgeOf({ cleanup: always });
    graph.next(judge);
    graph.cancel();
    assert.equal(graph.cancelled, true);
    graph.complete('long', cancelledEnd);
    assert.deepEqual(summary(graph.next(judge)), [
      'finish after_long cancelled: run cancelled',
      'start cleanup',
    ]);
    graph.complete('cleanup', ok());
    assert.equal(graph.done, true);
  });

  test('jobs waiting for a slot are decided again: a false `if` is skipped, no `if` cancelled', () => {
    const graph = graphOf(planOf(job('a'), job('b'), job('c'), job('d')), { slots: 1 });
    const judge = judgeOf({ b: always, c: (facts, cancelled) => !cancelled && !facts.failedAbove });
    assert.deepEqual(summary(graph.next(judge)), ['start a']);
    graph.cancel();
    assert.deepEqual(summary(graph.next(judge)), [
      'finish c skipped: run cancelled',
      'finish d cancelled: run cancelled',
    ]);
    graph.complete('a', cancelledEnd);
    assert.deepEqual(summary(graph.next(judge)), ['start b']);
  });

  test('the judge sees the cancellation', () => {
    const seen: boolean[] = [];
    const graph = graphOf(planOf(job('a'), job('b', { needs: ['a'] })));
    const judge: ConditionJudge = (_node, _facts, cancelled) => {
      seen.push(cancelled);
      return { run: true };
    };
    graph.next(judge);
    graph.cancel();
    graph.complete('a', cancelledEnd);
    graph.next(judge);
    assert.deepEqual(seen, [false, true]);
  });

  test('after a cancel, a leg cancelled by it keeps its own message', () => {
    const graph = graphOf(
      planOf(job('m[1]', { jobId: 'm', matrix: { n: 1 } }), job('m[2]', { jobId: 'm', matrix: { n: 2 } })),
    );
    graph.next(noIf);
    graph.cancel();
    graph.complete('m[1]', failed);
    assert.equal(graph.complete('m[2]', cancelledEnd).message, 'cancelled');
  });
});

describe('deploy environments and approval gates', () => {
  const plan = planOf(
    job('build'),
    environment('dev', 1),
    environment('production', 1, { needs: ['deploy.dev'], approval: 'manual_approval' }),
  );

  test('environments go one after another once the earlier stages succeeded, without taking a slot', () => {
    // deploy-dev-auto-production-manual.yaml
    const graph = graphOf(plan, { slots: 1 });
    assert.deepEqual(summary(graph.next(noIf)), ['start build']);
    graph.complete('build', ok());
    assert.deepEqual(summary(graph.next(noIf)), ['deploy deploy.dev']);
    assert.deepEqual(graph.running(), []);
    graph.complete('deploy.dev', ok());
    assert.deepEqual(summary(graph.next(noIf)), ['deploy deploy.production']);
    graph.complete('deploy.production', ok());
    assert.equal(graph.done, true);
    assert.equal(graph.failed, false);
  });

  test('a rejected environment fails the run', () => {
    // deploy-shorthand-for-reject.yaml
    const graph = graphOf(plan);
    graph.next(noIf);
    graph.complete('build', ok());
    graph.next(noIf);
    graph.complete('deploy.dev', ok());
    graph.next(noIf);
    graph.complete('deploy.production', { status: 'failure', outputs: {}, message: 'rejected by tester' });
    assert.equal(graph.failed, true);
  });

  test('a failed build skips every environment; a cancelled run cancels the next one', () => {
    const graph = graphOf(plan);
    graph.next(noIf);
    graph.complete('build', failed);
    assert.deepEqual(summary(graph.next(noIf)), ['finish deploy.dev skipped: an earlier job failed']);
    assert.deepEqual(summary(graph.next(noIf)), ['finish deploy.production skipped: an earlier job failed']);

    const cancelled = graphOf(plan);
    cancelled.next(noIf);
    cancelled.complete('build', ok());
    cancelled.next(noIf);
    cancelled.cancel();
    cancelled.complete('deploy.dev', {
      status: 'cancelled',
      outputs: {},
      message: 'cancelled while waiting',
    });
    assert.deepEqual(summary(cancelled.next(noIf)), ['finish deploy.production cancelled: run cancelled']);
  });

  test('an environment gets the artifacts of every finished node', () => {
    const graph = graphOf(planOf(job('build'), job('docs'), environment('dev', 1)));
    graph.next(noIf);
    graph.complete('build', { ...ok(), artifacts: manifest('dist/app.js') });
    graph.complete('docs', { ...ok(), artifacts: { files: [], totalBytes: 0 } });
    assert.deepEqual(graph.allArtifacts(), [manifest('dist/app.js')]);
  });
});

describe('resume and rerun seeding', () => {
  test('resume: finished jobs are not started again; the chain goes on after them', () => {
    // three-job-chain-for-resume.yaml, killed during job two
    const graph = graphOf(
      planOf(job('one'), job('two', { needs: ['one'] }), job('three', { needs: ['two'] })),
      {
        finished: { one: ok() },
      },
    );
    assert.equal(graph.result('one')?.status, 'success');
    assert.deepEqual(summary(graph.next(noIf)), ['start two']);
    graph.complete('two', ok());
    assert.deepEqual(summary(graph.next(noIf)), ['start three']);
  });

  test('resume: a finished stage opens the next one at once; a run with nothing left is done', () => {
    const plan = planOf(job('a'), job('b'), job('c', { stage: 1 }));
    const graph = graphOf(plan, { finished: { a: ok(), b: ok() } });
    assert.deepEqual(summary(graph.next(noIf)), ['start c']);
    const done = graphOf(plan, { finished: { a: ok(), b: ok(), c: ok() } });
    assert.equal(done.done, true);
    assert.deepEqual(done.next(noIf), []);
  });

  test('resume: a seeded failure reaches the jobs below it, through seeded skips too', () => {
    const plan = planOf(
      job('breaks'),
      job('skipped_below', { needs: ['breaks'] }),
      job('on_failure', { needs: ['skipped_below'] }),
      job('by_default', { needs: ['skipped_below'] }),
    );
    const graph = graphOf(plan, {
      finished: { breaks: failed, skipped_below: { status: 'skipped', outputs: {} } },
    });
    assert.equal(graph.result('skipped_below')?.failedUpstream, true);
    assert.deepEqual(summary(graph.next(judgeOf({ on_failure: failure }))), [
      'finish by_default skipped: an earlier job failed',
      'start on_failure',
    ]);
  });

  test('resume: a seeded failure of a continueOnError job does not hold its dependents', () => {
    const graph = graphOf(planOf(job('lint'), job('after_lint', { needs: ['lint'] })), {
      rules: { lint: { continueOnError: true } },
      finished: { lint: failed },
    });
    assert.equal(graph.result('lint')?.effective, 'success');
    assert.deepEqual(summary(graph.next(noIf)), ['start after_lint']);
  });

  test('rerun --failed: the reused producer is not run again and hands its artifacts on', () => {
    // artifacts-rerun-failed.yaml
    const graph = graphOf(planOf(job('build'), job('package', { needs: ['build'] })), {
      finished: { build: { ...ok(), artifacts: manifest('dist/app.js') } },
    });
    const steps = graph.next(noIf);
    assert.deepEqual(summary(steps), ['start package']);
    assert.deepEqual(graph.neededArtifacts(steps[0]!.node), [manifest('dist/app.js')]);
  });
});

test('jobRules reads continueOnError, needs and the matrix rules of each job', () => {
  const base = {
    run: 'true',
    retry: { maxAttempts: 1, backoffMs: 0 },
    env: {},
    artifacts: [],
    secrets: [],
    path: [],
  };
  const rules = jobRules({
    build: { ...base, id: 'build', needs: [], continueOnError: true },
    shard: {
      ...base,
      id: 'shard',
      needs: ['build'],
      continueOnError: false,
      matrix: { axes: { n: [1, 2] }, include: [], exclude: [], failFast: true, maxParallel: 1 },
    },
  });
  assert.deepEqual(rules, {
    build: { needs: [], continueOnError: true, failFast: false },
    shard: { needs: ['build'], continueOnError: false, failFast: true, maxParallel: 1 },
  });
});
