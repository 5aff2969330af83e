// The delivery figures week by week, for trend charts: pure, from the same facts and the same
// definitions as the window's figures (delivery-metrics.ts), one bucket per UTC week starting Monday.
import type { DeliveryFacts } from './delivery-facts.js';
import { failedDeploys, leadTimesHours, restoreHours } from './delivery-metrics.js';
import { DAY, percentile } from './four-keys.js';

/** One week of `GET /api/v1/metrics/delivery/weekly`. */
export interface WeeklyPoint {
  /** The Monday (UTC) the week starts on, `YYYY-MM-DD`. */
  readonly week: string;
  /** Completed deploys that ended in the week. */
  readonly deploys: number;
  /** Median hours from commit to the completed deploy that brought it, for deploys of the week. */
  readonly lead_time_median_hours: number | null;
  /** Failed deploys of the week over the deploys attempted in it (null without any). */
  readonly change_failure_rate: number | null;
  /** Median hours to restore of the failures recorded in the week. */
  readonly time_to_restore_median_hours: number | null;
}

const WEEK = 7 * DAY;

/** The Monday 00:00 UTC of the week holding `time`. */
export function weekStart(time: number): number {
  const day = Math.floor(time / DAY) * DAY;
  // getUTCDay: Sunday is 0, so Sunday goes back six days and Monday none.
  return day - ((new Date(day).getUTCDay() + 6) % 7) * DAY;
}

const round = (value: number | undefined, digits: number): number | null =>
  value === undefined || !Number.isFinite(value) ? null : Number(value.toFixed(digits));

/**
 * The weeks from the one holding `window.from` to the one holding the window's last instant, each
 * with its figures; a week with nothing in it has 0 deploys and nulls. A deploy counts in the week
 * it ended; a restore in the week of the failure's event (the deploy that did not complete, the
 * manual rollback, the incident's opening). Failures are judged over the whole window, so an
 * incident blames the deploy that ran when it opened even when that deploy ended a week earlier.
 */
export function weeklySeries(
  facts: DeliveryFacts,
  window: { readonly from: number; readonly to: number },
): WeeklyPoint[] {
  const failed = failedDeploys(facts);
  const weeks: WeeklyPoint[] = [];
  for (let start = weekStart(window.from); start < window.to; start += WEEK) {
    const inWeek = (time: number) => time >= start && time < start + WEEK;
    const attempts = facts.deploys.filter((d) => inWeek(d.time));
    const done = attempts.filter((d) => d.result === 'completed');
    // The week's failures, with every completed deploy kept for finding culprits and recoveries.
    const weekFacts: DeliveryFacts = {
      deploys: facts.deploys.filter((d) => d.result === 'completed' || inWeek(d.time)),
      rollbacks: facts.rollbacks.filter((r) => inWeek(r.time)),
      incidents: facts.incidents.filter((i) => inWeek(i.openedAt)),
      pipelines: [],
    };
    const failedHere = attempts.filter((d) => failed.has(d)).length;
    weeks.push({
      week: new Date(start).toISOString().slice(0, 10),
      deploys: done.length,
      lead_time_median_hours: round(percentile(leadTimesHours(done), 0.5), 2),
      change_failure_rate: attempts.length === 0 ? null : round(failedHere / attempts.length, 4),
      time_to_restore_median_hours: round(percentile(restoreHours(weekFacts), 0.5), 2),
    });
  }
  return weeks;
}
