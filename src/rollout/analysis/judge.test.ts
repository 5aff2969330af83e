import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { AnalysisLimits, Measurement } from './analysis-types.js';
import { INITIAL_ANALYSIS, judge } from './judge.js';

const LIMITS: AnalysisLimits = { failureLimit: 1, inconclusiveLimit: 2, consecutiveErrorLimit: 1 };
const m = (metric: string, verdict: Measurement['verdict']): Measurement => ({
  metric,
  verdict,
  message: `${metric} ${verdict}`,
});

/** Feeds intervals in turn and returns the verdict status after each. */
function run(intervals: Measurement[][], limits = LIMITS): string[] {
  let state = INITIAL_ANALYSIS;
  return intervals.map((measurements) => {
    const judged = judge(state, measurements, limits);
    state = judged.state;
    return judged.verdict.status;
  });
}

describe('judge (Argo Rollouts verdicts)', () => {
  const cases: { name: string; intervals: Measurement[][]; expect: string[] }[] = [
    {
      name: 'all successes continue',
      intervals: [[m('e', 'success')], [m('e', 'success')]],
      expect: ['continue', 'continue'],
    },
    {
      name: 'a metric fails when its failures exceed failureLimit (not before)',
      intervals: [[m('e', 'failure')], [m('e', 'success')], [m('e', 'failure')]],
      expect: ['continue', 'continue', 'failed'],
    },
    {
      name: 'failures are counted per metric',
      intervals: [
        [m('a', 'failure'), m('b', 'success')],
        [m('a', 'success'), m('b', 'failure')],
      ],
      expect: ['continue', 'continue'],
    },
    {
      name: 'inconclusive intervals beyond inconclusiveLimit pause',
      intervals: [[m('e', 'inconclusive')], [m('e', 'inconclusive')], [m('e', 'inconclusive')]],
      expect: ['continue', 'continue', 'inconclusive'],
    },
    {
      name: 'errors beyond consecutiveErrorLimit in a row abort; a good measurement resets the run',
      intervals: [[m('p', 'error')], [m('p', 'success')], [m('p', 'error')], [m('p', 'error')]],
      expect: ['continue', 'continue', 'continue', 'error'],
    },
    {
      name: 'the worst verdict wins: failure over error over inconclusive',
      intervals: [
        [m('a', 'failure'), m('b', 'error'), m('c', 'inconclusive')],
        [m('a', 'failure'), m('b', 'error'), m('c', 'inconclusive')],
      ],
      expect: ['continue', 'failed'],
    },
  ];
  for (const c of cases) {
    test(c.name, () => assert.deepEqual(run(c.intervals), c.expect));
  }

  test('the failed verdict names the measurement that tipped it', () => {
    const first = judge(INITIAL_ANALYSIS, [m('e', 'failure')], { ...LIMITS, failureLimit: 0 });
    assert.equal(first.verdict.status, 'failed');
    assert.equal(first.verdict.status === 'failed' ? first.verdict.reason : '', 'e failure');
  });
});
