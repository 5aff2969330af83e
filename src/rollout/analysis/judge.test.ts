import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { AnalysisLimits, Measurement } from './analysis-types.js';
import { INITIAL_ANALYSIS, judge, mayAdvance, resetInconclusive } from './judge.js';

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
        [m('a', 'failure'), m('b', 'success')],
        [m('a', 'success'), m('b', 'error'), m('c', 'inconclusive')],
        [m('a', 'failure'), m('b', 'error'), m('c', 'inconclusive')],
      ],
      expect: ['continue', 'continue', 'failed'],
    },
    {
      name: 'the second failure of a run is not counted (one blip can straddle two intervals); the third is',
      intervals: [[m('e', 'failure')], [m('e', 'failure')], [m('e', 'failure')]],
      expect: ['continue', 'continue', 'failed'],
    },
    {
      name: 'two separate blips, each straddling a boundary, exceed failureLimit 1',
      intervals: [
        [m('e', 'failure')],
        [m('e', 'failure')],
        [m('e', 'success')],
        [m('e', 'failure')],
        [m('e', 'failure')],
      ],
      expect: ['continue', 'continue', 'continue', 'failed', 'failed'],
    },
    {
      name: 'any other verdict ends a run of failures',
      intervals: [[m('e', 'failure')], [m('e', 'inconclusive')], [m('e', 'failure')]],
      expect: ['continue', 'continue', 'failed'],
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

  test('resuming after an inconclusive pause restarts that count and keeps the failures', () => {
    let state = INITIAL_ANALYSIS;
    for (const interval of [[m('e', 'failure')], [m('e', 'inconclusive')], [m('e', 'inconclusive')]])
      state = judge(state, interval, LIMITS).state;
    assert.deepEqual([state.failures, state.inconclusive], [{ e: 1 }, 2]);
    const resumed = resetInconclusive(state);
    assert.deepEqual([resumed.failures, resumed.inconclusive], [{ e: 1 }, 0]);
    // The kept failure still counts: one more exceeds failureLimit 1.
    assert.equal(judge(resumed, [m('e', 'failure')], LIMITS).verdict.status, 'failed');
  });
});

describe('mayAdvance (when a measured hold may end)', () => {
  const cases: { name: string; latest: Measurement[]; promotesNext: boolean; expect: boolean }[] = [
    { name: 'all passed', latest: [m('a', 'success'), m('b', 'success')], promotesNext: true, expect: true },
    { name: 'a failure, before any step', latest: [m('a', 'failure')], promotesNext: false, expect: false },
    {
      name: 'inconclusive, before a traffic step',
      latest: [m('a', 'inconclusive')],
      promotesNext: false,
      expect: true,
    },
    {
      name: 'inconclusive, before promotion',
      latest: [m('a', 'inconclusive')],
      promotesNext: true,
      expect: false,
    },
    {
      name: 'an error, before promotion',
      latest: [m('a', 'success'), m('b', 'error')],
      promotesNext: true,
      expect: false,
    },
  ];
  for (const c of cases) test(c.name, () => assert.equal(mayAdvance(c.latest, c.promotesNext), c.expect));
});
