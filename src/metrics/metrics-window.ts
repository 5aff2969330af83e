// The window the figures are for: `--since 90d|DATE` and `--until DATE`, as the CLI and the API take them.
import { parseDuration } from '../config/duration.js';
import { MetricsError } from './errors.js';

/** The default: the 90 days up to now. */
export const DEFAULT_SINCE = '90d';
const DATE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

function parseDate(text: string, flag: string): number {
  const time = DATE.test(text) ? Date.parse(text.length === 10 ? `${text}T00:00:00Z` : text) : Number.NaN;
  if (!Number.isFinite(time))
    throw new MetricsError(
      'WINDOW_INVALID',
      `${flag} takes a date (2026-01-31 or 2026-01-31T12:00:00Z)${flag === '--since' ? ' or a duration back (90d, 12h)' : ''}, got '${text}'`,
    );
  return time;
}

/** [from, to) in epoch ms from `since` (a duration back from `to`, or a date) and `until` (a date, default now). */
export function metricsWindow(
  options: { readonly since?: string; readonly until?: string },
  now: number,
): { from: number; to: number } {
  const to = options.until === undefined ? now : parseDate(options.until, '--until');
  const since = options.since ?? DEFAULT_SINCE;
  const back = parseDuration(since);
  const from = back !== undefined ? to - back : parseDate(since, '--since');
  if (from >= to)
    throw new MetricsError(
      'WINDOW_INVALID',
      `the window is empty: --since ${since} is not before --until ${new Date(to).toISOString()}`,
    );
  return { from, to };
}
