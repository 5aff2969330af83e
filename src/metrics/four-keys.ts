// The Four Keys bands, exactly as the Four Keys dashboard's queries compute them
// (dora-team/fourkeys, dashboard/fourkeys_dashboard.json): see docs/metrics.md.

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Deployment frequency band. */
export type FrequencyBand = 'daily' | 'weekly' | 'monthly' | 'yearly';
/** Lead time and time to restore band. */
export type DurationBand = 'one day' | 'one week' | 'one month' | 'six months' | 'one year';
/** Change failure rate band. */
export type FailureBand = '0-15%' | '16-45%' | '46-60%';

/** PERCENTILE_CONT: linear interpolation between the closest ranks; undefined for no values. */
export function percentile(values: readonly number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = p * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (rank - low);
}

/** Lead time and time to restore: < 24 h, < 168 h, < 730 h, < 6 x 730 h, else a year. */
export function durationBand(hours: number): DurationBand {
  if (hours < 24) return 'one day';
  if (hours < 168) return 'one week';
  if (hours < 730) return 'one month';
  if (hours < 730 * 6) return 'six months';
  return 'one year';
}

/** Change failure rate: <= 15%, < 46%, else 46-60% (Four Keys' top band covers everything above). */
export function failureBand(rate: number): FailureBand {
  if (rate <= 0.15) return '0-15%';
  if (rate < 0.46) return '16-45%';
  return '46-60%';
}

/** The UTC day (epoch ms at midnight) of `time`. */
const dayOf = (time: number) => Math.floor(time / DAY) * DAY;
/** The UTC week of `day`, starting on Sunday as BigQuery's TIMESTAMP_TRUNC(..., WEEK) does. */
const weekOf = (day: number) => day - new Date(day).getUTCDay() * DAY;
/** The UTC month of `day`, as `YYYY-MM`. */
const monthOf = (day: number) => new Date(day).toISOString().slice(0, 7);

/**
 * Deployment frequency over the days from `from` to `to` (both inclusive, UTC):
 * - daily when the median number of days with a deploy per week is at least 3;
 * - weekly when the median week has a deploy;
 * - monthly when the median over the weeks of their month's count of weeks with a deploy is at least 1;
 * - yearly otherwise.
 */
export function frequencyBand(deployTimes: readonly number[], from: number, to: number): FrequencyBand {
  const deployDays = new Set(deployTimes.map(dayOf));
  const weeks = new Map<number, { days: number; deployed: number }>();
  for (let day = dayOf(from); day <= dayOf(to); day += DAY) {
    const week = weekOf(day);
    const row = weeks.get(week) ?? { days: 0, deployed: 0 };
    if (deployDays.has(day)) {
      row.days++;
      row.deployed = 1;
    }
    weeks.set(week, row);
  }
  const rows = [...weeks.entries()];
  if (rows.length === 0) return 'yearly';
  if (
    (percentile(
      rows.map(([, r]) => r.days),
      0.5,
    ) ?? 0) >= 3
  )
    return 'daily';
  if (
    (percentile(
      rows.map(([, r]) => r.deployed),
      0.5,
    ) ?? 0) >= 1
  )
    return 'weekly';
  const perMonth = new Map<string, number>();
  for (const [week, r] of rows) perMonth.set(monthOf(week), (perMonth.get(monthOf(week)) ?? 0) + r.deployed);
  const monthly = rows.map(([week]) => perMonth.get(monthOf(week)) ?? 0);
  return (percentile(monthly, 0.5) ?? 0) >= 1 ? 'monthly' : 'yearly';
}

export { DAY, HOUR };
