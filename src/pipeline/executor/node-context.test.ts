// Jobs' `if` conditions decided against what the run graph knows, with the real expression language.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ResolvedJob } from '../../config/resolved.js';
import type { PlannedJobNode } from '../plan.js';
import { type ContextSources, conditionJudge, nodeContext } from './node-context.js';
import type { NodeFacts } from './run-graph.js';

function jobs(conditions: Record<string, string | undefined>): Record<string, ResolvedJob> {
  return Object.fromEntries(
    Object.entries(conditions).map(([id, condition]) => [
      id,
      {
        id,
        run: 'true',
        needs: [],
        ...(condition !== undefined ? { if: condition } : {}),
        retry: { maxAttempts: 1, backoffMs: 0 },
        continueOnError: false,
        env: {},
        artifacts: [],
        secrets: [],
        path: [],
      },
    ]),
  );
}

function node(jobId: string, matrix?: Record<string, string>): PlannedJobNode {
  return {
    kind: 'job',
    key: jobId,
    jobId,
    stage: 'test',
    stageIndex: 0,
    needs: [],
    neededJobs: [],
    ...(matrix ? { matrix } : {}),
  };
}

const GREEN: NodeFacts = { failedAbove: false, neededSkipped: false, needs: {} };
const RED: NodeFacts = { ...GREEN, failedAbove: true };

const sources: ContextSources = {
  runId: 7,
  baseEnv: { DEPLOY_TARGET: 'moon' },
  git: { branch: 'main', sha: 'abc123' },
  hashFiles: () => 'hash',
  cancelled: () => false,
};

test('status functions read the facts and the cancellation the graph passes', () => {
  const judge = conditionJudge(
    jobs({ on_failure: '${{ failure() }}', always: '${{ always() }}', cancelled: '${{ cancelled() }}' }),
    sources,
  );
  assert.deepEqual(judge(node('on_failure'), RED, false), { run: true });
  assert.deepEqual(judge(node('on_failure'), GREEN, false), { run: false });
  assert.deepEqual(judge(node('always'), RED, true), { run: true });
  assert.deepEqual(judge(node('cancelled'), GREEN, false), { run: false });
  assert.deepEqual(judge(node('cancelled'), GREEN, true), { run: true });
});

test('a condition without a status function holds only when success() does', () => {
  const judge = conditionJudge(jobs({ by_env: "env.DEPLOY_TARGET == 'moon'" }), sources);
  assert.deepEqual(judge(node('by_env'), GREEN, false), { run: true });
  assert.deepEqual(judge(node('by_env'), RED, false), { run: false });
  assert.deepEqual(judge(node('by_env'), { ...GREEN, neededSkipped: true }, false), { run: false });
  assert.deepEqual(judge(node('by_env'), GREEN, true), { run: false });
});

test('needs, matrix, git and run contexts come from the facts, the node and the sources', () => {
  const judge = conditionJudge(
    jobs({
      by_output: "${{ needs.producer.outputs.color == 'blue' && needs.producer.result == 'success' }}",
      by_matrix: "matrix.flavor == 'sour'",
      by_git: "git.branch == 'main' && git.sha == 'abc123' && run.id == 7",
    }),
    sources,
  );
  const facts: NodeFacts = {
    ...GREEN,
    needs: { producer: { result: 'success', outputs: { color: 'blue' } } },
  };
  assert.deepEqual(judge(node('by_output'), facts, false), { run: true });
  assert.deepEqual(judge(node('by_output'), GREEN, false), { run: false });
  assert.deepEqual(judge(node('by_matrix', { flavor: 'sour' }), GREEN, false), { run: true });
  assert.deepEqual(judge(node('by_matrix', { flavor: 'sweet' }), GREEN, false), { run: false });
  assert.deepEqual(judge(node('by_git'), GREEN, false), { run: true });
});

test('no `if` leaves the decision to the graph; a broken one becomes an error verdict', () => {
  const judge = conditionJudge(
    jobs({ plain: undefined, syntax: '${{ ( }}', evaluation: "fromJSON('{')" }),
    sources,
  );
  assert.equal(judge(node('plain'), GREEN, false), undefined);
  const syntax = judge(node('syntax'), GREEN, false);
  assert.ok(syntax && 'error' in syntax && syntax.error.startsWith('invalid if: '), JSON.stringify(syntax));
  assert.deepEqual(
    judge(node('syntax'), GREEN, false),
    syntax,
    'a broken condition is judged the same each time',
  );
  const evaluation = judge(node('evaluation'), GREEN, false);
  assert.ok(evaluation && 'error' in evaluation, JSON.stringify(evaluation));
  assert.match(evaluation.error, /^if: .*Error parsing JSON/);
});

test("a running job's context reads the cancellation when it asks, not when it started", () => {
  let cancelled = false;
  const context = nodeContext(node('job'), GREEN, { ...sources, cancelled: () => cancelled });
  assert.equal(context.status?.success(), true);
  cancelled = true;
  assert.equal(context.status?.success(), false);
  assert.equal(context.status?.cancelled(), true);
  assert.deepEqual(context.contexts.env, { DEPLOY_TARGET: 'moon' });
});
