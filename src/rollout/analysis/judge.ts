/**
 * Verdicts the way Argo Rollouts reaches them: a metric fails when its failures exceed
 * `failureLimit`; inconclusive intervals beyond `inconclusiveLimit` pause the rollout; errors
 * beyond `consecutiveErrorLimit` in a row abort it; the worst verdict wins. One difference: the
 * second failure of a run is not counted, because one burst shorter than the interval can straddle
 * the boundary of two intervals and fail both.
 */
import type { AnalysisLimits, AnalysisState, Measurement, Verdict } from './analysis-types.js';

/** The state before a rollout's first interval. */
export const INITIAL_ANALYSIS: AnalysisState = {
  failures: {},
  inconclusive: 0,
  consecutiveErrors: {},
  failedInARow: {},
};

/** Folds one interval's measurements into the state and says whether the rollout may go on. */
export function judge(
  state: AnalysisState,
  measurements: readonly Measurement[],
  limits: AnalysisLimits,
): { state: AnalysisState; verdict: Verdict } {
  const failures = { ...state.failures };
  const consecutiveErrors = { ...state.consecutiveErrors };
  const failedInARow = { ...state.failedInARow };
  let inconclusive = state.inconclusive;
  let failed: Measurement | undefined;
  let errored: Measurement | undefined;
  let anyInconclusive: Measurement | undefined;
  for (const m of measurements) {
    failedInARow[m.metric] = m.verdict === 'failure' ? (failedInARow[m.metric] ?? 0) + 1 : 0;
    if (m.verdict === 'error') {
      consecutiveErrors[m.metric] = (consecutiveErrors[m.metric] ?? 0) + 1;
      if ((consecutiveErrors[m.metric] ?? 0) > limits.consecutiveErrorLimit) errored ??= m;
      continue;
    }
    consecutiveErrors[m.metric] = 0;
    if (m.verdict === 'failure') {
      if (failedInARow[m.metric] !== 2) failures[m.metric] = (failures[m.metric] ?? 0) + 1;
      if ((failures[m.metric] ?? 0) > limits.failureLimit) failed ??= m;
    } else if (m.verdict === 'inconclusive') {
      anyInconclusive ??= m;
    }
  }
  if (anyInconclusive) inconclusive += 1;
  const next: AnalysisState = { failures, inconclusive, consecutiveErrors, failedInARow };
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

/** The state after a person resumed an inconclusive pause: they vouched for the missing data, not for the failures. */
export function resetInconclusive(state: AnalysisState): AnalysisState {
  return { ...state, inconclusive: 0 };
}

/**
 * Whether a hold whose latest interval measured `latest` may end: never on a failure, and before
 * the step that gives the new revision all traffic only when every measurement passed.
 */
export function mayAdvance(latest: readonly Measurement[], promotesNext: boolean): boolean {
  if (latest.some((m) => m.verdict === 'failure')) return false;
  return !promotesNext || latest.every((m) => m.verdict === 'success');
}
