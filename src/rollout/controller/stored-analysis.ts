/**
 * The analysis counters a rollout keeps in its stored data (`data.analysis`), so that every
 * analysed hold of the rollout, under this controller or the next one, adds to the same counts.
 */
import type { AnalysisState } from '../analysis/analysis-types.js';
import { INITIAL_ANALYSIS, resetInconclusive } from '../analysis/judge.js';

/** The counters stored with a rollout; anything missing or malformed counts from zero. */
export function storedAnalysis(data: Readonly<Record<string, unknown>>): AnalysisState {
  const stored = data.analysis;
  if (stored === null || typeof stored !== 'object') return INITIAL_ANALYSIS;
  const fields = stored as Record<string, unknown>;
  return {
    failures: counts(fields.failures),
    inconclusive: typeof fields.inconclusive === 'number' ? fields.inconclusive : 0,
    consecutiveErrors: counts(fields.consecutiveErrors),
    failedInARow: counts(fields.failedInARow),
  };
}

/**
 * The data of a rollout a person resumes: after an inconclusive pause the inconclusive count
 * starts again (the only count that ever resets); otherwise the data is returned as it is.
 */
export function resumedData(data: Readonly<Record<string, unknown>>): Record<string, unknown> {
  if (data.inconclusivePause !== true) return { ...data };
  const rest = Object.fromEntries(Object.entries(data).filter(([key]) => key !== 'inconclusivePause'));
  return { ...rest, analysis: resetInconclusive(storedAnalysis(data)) };
}

function counts(value: unknown): Record<string, number> {
  if (value === null || typeof value !== 'object') return {};
  return Object.fromEntries(
    Object.entries(value).filter((entry): entry is [string, number] => typeof entry[1] === 'number'),
  );
}
