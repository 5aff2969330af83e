/**
 * Verdicts the way Argo Rollouts reaches them: a metric fails when its failures exceed
 * `failureLimit`; inconclusive intervals beyond `inconclusiveLimit` pause the rollout; errors
 * beyond `consecutiveErrorLimit` in a row abort it; the worst verdict wins.
 */
import type { AnalysisLimits, AnalysisState, Measurement, Verdict } from './analysis-types.js';

/** The state before the first interval. */
export const INITIAL_ANALYSIS: AnalysisState = { failures: {}, inconclusive: 0, consecutiveErrors: {} };

/** Folds one interval's measurements into the state and says whether the rollout may go on. */
export function judge(
  state: AnalysisState,
  measurements: readonly Measurement[],
  limits: AnalysisLimits,
): { state: AnalysisState; verdict: Verdict } {
  const failures = { ...state.failures };
  const consecutiveErrors = { ...state.consecutiveErrors };
  let inconclusive = state.inconclusive;
  let failed: Measurement | undefined;
  let errored: Measurement | undefined;
  let anyInconclusive: Measurement | undefined;
  for (const m of measurements) {
    if (m.verdict === 'error') {
      consecutiveErrors[m.metric] = (consecutiveErrors[m.metric] ?? 0) + 1;
      if ((consecutiveErrors[m.metric] ?? 0) > limits.consecutiveErrorLimit) errored ??= m;
      continue;
    }
    consecutiveErrors[m.metric] = 0;
    if (m.verdict === 'failure') {
      failures[m.metric] = (failures[m.metric] ?? 0) + 1;
      if ((failures[m.metric] ?? 0) > limits.failureLimit) failed ??= m;
    } else if (m.verdict === 'inconclusive') {
      anyInconclusive ??= m;
    }
  }
  if (anyInconclusive) inconclusive += 1;
  const next: AnalysisState = { failures, inconclusive, consecutiveErrors };
  if (failed)
    return { state: next, verdict: { status: 'failed', reason: failed.message, measurement: failed } };
  if (errored) {
    return {
      state: next,
      verdict: {
        status: 'error',
        reason: `${errored.metric}: ${errored.message} (${limits.consecutiveErrorLimit + 1} errors in a row)`,
        measurement: errored,
      },
    };
  }
  if (anyInconclusive && inconclusive > limits.inconclusiveLimit) {
    return {
      state: next,
      verdict: { status: 'inconclusive', reason: anyInconclusive.message, measurement: anyInconclusive },
    };
  }
  return { state: next, verdict: { status: 'continue' } };
}
