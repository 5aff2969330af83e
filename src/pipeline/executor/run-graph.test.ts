// The run graph on plain data: needs, stage barriers, conditions, matrix legs and the concurrency
// limit, each scenario mirroring a fixture of test/pipeline step by step.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  always,
  cancelledEnd,
  failed,
  failure,
  graphOf,
  job,
  judgeOf,
  noIf,
  ok,
  planOf,
  summary,
} from '../../../test/helpers/run-graph-builders.js';
import type { PlannedJobNode } from '../plan.js';

describe('needs and stage barriers', () => {
  test('a need orders jobs inside a stage; a later stage waits for all of the earlier one', () => {
    // needs-within-and-across-stages.yaml
    const graph = graphOf(
      planOf(job('early'), job('late', { needs: ['early'] }), job('report', { stage: 1, needs: ['early'] })),
    );
    assert.deepEqual(summary(graph.next(noIf)), ['start early']);
    graph.complete('early', ok({ answer: '42' }));
    assert.deepEqual(summary(graph.next(noIf)), ['start late'], 'report must wait for stage 0');
    graph.complete('late', ok());
    const steps = graph.next(noIf);
    assert.deepEqual(summary(steps), ['start report']);
    assert.deepEqual(steps[0]?.kind === 'start' && steps[0].facts.needs, {
      early: { result: 'success', outputs: { answer: '42' } },
    });
    assert.equal(graph.done, false);
    graph.complete('report', ok());
    assert.equal(graph.done, true);
    assert.equal(graph.failed, false);
  });

  test('a job that needs two jobs starts only once both have finished', () => {
    const graph = graphOf(
      planOf(job('compile'), job('lint'), job('package', { needs: ['compile', 'lint'] })),
    );
    assert.deepEqual(summary(graph.next(noIf)), ['start compile', 'start lint']);
    graph.complete('compile', ok());
    assert.deepEqual(summary(graph.next(noIf)), []);
    graph.complete('lint', ok());
    assert.deepEqual(summary(graph.next(noIf)), ['start package']);
  });

  test('parallel jobs start together, then a steps stage runs its jobs one after another', () => {
    // stages-parallel-then-steps.yaml
    const graph = graphOf(
      planOf(
        job('left'),
        job('right'),
        job('first', { stage: 1 }),
        job('second', { stage: 1, needs: ['first'] }),
        job('third', { stage: 1, needs: ['second'] }),
      ),
    );
    assert.deepEqual(summary(graph.next(noIf)), ['start left', 'start right']);
    graph.complete('left', ok());
    assert.deepEqual(summary(graph.next(noIf)), []);
    graph.complete('right', ok());
    assert.deepEqual(summary(graph.next(noIf)), ['start first']);
    graph.complete('first', ok());
    assert.deepEqual(summary(graph.next(noIf)), ['start second']);
    graph.complete('second', ok());
    assert.deepEqual(summary(graph.next(noIf)), ['start third']);
  });

  test('a need outside the selected plan (--stage) neither holds a job back nor counts as skipped', () => {
    // selection-job-and-stage.yaml with --stage test: unit needs compile, which is not planned.
    const unit: PlannedJobNode = { ...job('unit'), neededJobs: ['compile'] };
    const graph = graphOf(planOf(unit, job('docs')), { rules: { unit: { needs: ['compile'] } } });
    const steps = graph.next(noIf);
    assert.deepEqual(summary(steps), ['start unit', 'start docs']);
    const facts = steps[0]?.kind === 'start' ? steps[0].facts : undefined;
    assert.deepEqual(facts, {
      failedAbove: false,
      neededSkipped: false,
      needs: { compile: { result: 'skipped', outputs: {} } },
    });
  });

  test('a failed stage fails every later node, even without a need on it', () => {
    const graph = graphOf(planOf(job('build'), job('lint'), job('package', { stage: 1 })));
    graph.next(noIf);
    graph.complete('build', failed);
    graph.complete('lint', ok());
    assert.deepEqual(summary(graph.next(noIf)), ['finish package skipped: an earlier job failed']);
    assert.equal(graph.result('package')?.failedUpstream, true);
  });
});

describe('if conditions and status functions', () => {
  test('failure() runs after a failure, always() always, the default only on success; skips propagate', () => {
    // if-status-functions.yaml
    const graph = graphOf(
      planOf(
        job('breaks'),
        job('on_failure', { needs: ['breaks'] }),
        job('always_runs', { needs: ['breaks'] }),
        job('by_default', { needs: ['breaks'] }),
        job('after_skipped', { needs: ['by_default'] }),
      ),
    );
    const judge = judgeOf({ on_failure: failure, always_runs: always });
    assert.deepEqual(summary(graph.next(judge)), ['start breaks']);
    graph.complete('breaks', { status: 'failure', outputs: {}, message: 'exit code 3' });
    assert.deepEqual(summary(graph.next(judge)), [
      'finish by_default skipped: an earlier job failed',
      'start on_failure',
      'start always_runs',
    ]);
    assert.deepEqual(summary(graph.next(judge)), ['finish after_skipped skipped: an earlier job failed']);
    graph.complete('on_failure', ok());
    graph.complete('always_runs', ok());
    assert.equal(graph.done, true);
    assert.equal(graph.failed, true);
  });

  test('on a green run failure() is skipped; a false condition skips its dependents, always() still runs', () => {
    // if-all-green.yaml
    const graph = graphOf(
      planOf(
        job('ok'),
        job('on_failure', { needs: ['ok'] }),
        job('gated'),
        job('after_gated', { needs: ['gated'] }),
        job('after_gated_always', { needs: ['gated'] }),
      ),
    );
    const judge = judgeOf({ on_failure: failure, gated: () => false, after_gated_always: always });
    assert.deepEqual(summary(graph.next(judge)), ['finish gated skipped: condition is false', 'start ok']);
    const steps = graph.next(judge);
    assert.deepEqual(summary(steps), [
      'finish after_gated skipped: a needed job was skipped',
      'start after_gated_always',
    ]);
    const facts = steps[1]?.kind === 'start' ? steps[1].facts : undefined;
    assert.deepEqual(facts?.needs, { gated: { result: 'skipped', outputs: {} } });
    assert.equal(facts?.neededSkipped, true);
    graph.complete('ok', ok());
    assert.deepEqual(summary(graph.next(judge)), ['finish on_failure skipped: condition is false']);
    graph.complete('after_gated_always', ok());
    assert.equal(graph.done, true);
    assert.equal(graph.failed, false);
  });

  test('an `if` that cannot be evaluated fails its job, and with continueOnError not the run', () => {
    const plan = planOf(job('broken'), job('after', { needs: ['broken'] }));
    const judge = judgeOf({ broken: () => 'if: unknown function nope()' });
    const graph = graphOf(plan);
    assert.deepEqual(summary(graph.next(judge)), ['finish broken failure: if: unknown function nope()']);
    assert.deepEqual(summary(graph.next(judge)), ['finish after skipped: an earlier job failed']);
    assert.equal(graph.failed, true);

    const tolerant = graphOf(plan, { rules: { broken: { continueOnError: true } } });
    tolerant.next(judge);
    assert.equal(tolerant.result('broken')?.effective, 'success');
    assert.deepEqual(summary(tolerant.next(judge)), ['start after']);
    assert.equal(tolerant.failed, false);
  });

  test('continueOnError: the job fails, its dependents run and the run does not fail', () => {
    // continue-on-error.yaml
    const graph = graphOf(planOf(job('lint'), job('after_lint', { needs: ['lint'] })), {
      rules: { lint: { continueOnError: true } },
    });
    graph.next(noIf);
    const { result } = graph.complete('lint', { status: 'failure', outputs: {} });
    assert.deepEqual([result.status, result.effective, result.failedUpstream], ['failure', 'success', false]);
    assert.deepEqual(summary(graph.next(noIf)), ['start after_lint']);
    graph.complete('after_lint', ok());
    assert.equal(graph.failed, false);
  });

  test('a timed-out job fails the run like a failure', () => {
    const graph = graphOf(planOf(job('slow'), job('after', { needs: ['slow'] })));
    graph.next(noIf);
    graph.complete('slow', { status: 'timed_out', outputs: {} });
    assert.deepEqual(summary(graph.next(noIf)), ['finish after skipped: an earlier job failed']);
    assert.equal(graph.failed, true);
  });
});

describe('matrix legs', () => {
  const legs = (n: number) =>
    Array.from({ length: n }, (_, i) => job(`shard[n=${i + 1}]`, { jobId: 'shard', matrix: { n: i + 1 } }));

  test('failFast: one failing leg stops the running legs and cancels the pending one', () => {
    // matrix-fail-fast.yaml with --concurrency 3
    const graph = graphOf(planOf(...legs(4)), { slots: 3 });
    assert.deepEqual(summary(graph.next(noIf)), ['start shard[n=1]', 'start shard[n=2]', 'start shard[n=3]']);
    const first = graph.complete('shard[n=1]', failed);
    assert.deepEqual(first.abort, ['shard[n=2]', 'shard[n=3]']);
    assert.deepEqual(summary(graph.next(noIf)), [
      'finish shard[n=4] cancelled: cancelled: another matrix leg failed (failFast)',
    ]);
    const second = graph.complete('shard[n=2]', cancelledEnd);
    assert.equal(second.message, 'cancelled: another matrix leg failed (failFast)');
    assert.deepEqual(second.abort, []);
    graph.complete('shard[n=3]', cancelledEnd);
    assert.equal(graph.done, true);
    assert.equal(graph.failed, true);
  });

  test('failFast: false lets the other legs finish', () => {
    // matrix-no-fail-fast.yaml
    const graph = graphOf(planOf(...legs(3)), { slots: 3, rules: { shard: { failFast: false } } });
    graph.next(noIf);
    assert.deepEqual(graph.complete('shard[n=1]', failed).abort, []);
    assert.deepEqual(graph.running(), ['shard[n=2]', 'shard[n=3]']);
    assert.equal(graph.complete('shard[n=2]', ok()).result.status, 'success');
  });

  test('failFast spares the other legs when the failing one may fail (continueOnError)', () => {
    const graph = graphOf(planOf(...legs(2)), { rules: { shard: { continueOnError: true } } });
    graph.next(noIf);
    assert.deepEqual(graph.complete('shard[n=1]', failed).abort, []);
    assert.equal(graph.complete('shard[n=2]', cancelledEnd).message, 'cancelled');
  });

  test('maxParallel: 1 runs the legs one at a time while another job still starts', () => {
    // matrix-max-parallel-one.yaml with --concurrency 4
    const leg = (n: number) => job(`leg[n=${n}]`, { jobId: 'leg', matrix: { n } });
    const graph = graphOf(planOf(leg(1), leg(2), leg(3), job('other')), {
      slots: 4,
      rules: { leg: { maxParallel: 1 } },
    });
    assert.deepEqual(summary(graph.next(noIf)), ['start leg[n=1]', 'start other']);
    assert.deepEqual(summary(graph.next(noIf)), []);
    graph.complete('leg[n=1]', ok());
    assert.deepEqual(summary(graph.next(noIf)), ['start leg[n=2]']);
    graph.complete('leg[n=2]', ok());
    assert.deepEqual(summary(graph.next(noIf)), ['start leg[n=3]']);
  });

  test('needs.<job> aggregates its legs: any failing leg fails it, outputs are merged', () => {
    const graph = graphOf(
      planOf(...legs(2), job('report', { stage: 1, needs: ['shard[n=1]', 'shard[n=2]'] })),
      {
        rules: { shard: { failFast: false }, report: { needs: [] } },
      },
    );
    const judge = judgeOf({ report: always });
    graph.next(judge);
    graph.complete('shard[n=1]', ok({ a: '1' }));
    graph.complete('shard[n=2]', { status: 'failure', outputs: { b: '2' } });
    const [step] = graph.next(judge);
    assert.deepEqual(step?.kind === 'start' && step.facts.needs, {
      shard: { result: 'failure', outputs: { a: '1', b: '2' } },
    });
  });
});

describe('concurrency limit', () => {
  test('--concurrency 1 starts the jobs of a parallel stage one at a time, in order', () => {
    const graph = graphOf(planOf(job('left'), job('right')), { slots: 1 });
    assert.deepEqual(summary(graph.next(noIf)), ['start left']);
    assert.deepEqual(summary(graph.next(noIf)), []);
    assert.deepEqual(graph.running(), ['left']);
    graph.complete('left', ok());
    assert.deepEqual(summary(graph.next(noIf)), ['start right']);
  });
});
