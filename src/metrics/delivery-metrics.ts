// The delivery figures of a window, computed from its facts: pure, so the CLI, the API, the
// dashboard and imported histories all get the same numbers. docs/metrics.md defines each one.
import type { ResolvedSlo } from '../config/slo-schema.js';
import type { DeliveryFacts, DeployFact } from './delivery-facts.js';
import {
  DAY,
  type DurationBand,
  durationBand,
  type FailureBand,
  type FrequencyBand,
  failureBand,
  frequencyBand,
  HOUR,
  percentile,
} from './four-keys.js';

/** One success target and how the window did against it. */
export interface SloResult {
  readonly name:
    | 'zero_downtime'
    | 'deploy_success_rate'
    | 'rollback_time'
    | 'pipeline_duration'
    | 'time_to_production';
  /** In the unit of `value`: a share (0..1), seconds, minutes or hours. */
  readonly target: number;
  /** Null when the window has nothing to measure. */
  readonly value: number | null;
  readonly met: boolean | null;
}

/** `slipway metrics --json` and `GET /api/v1/metrics/delivery`. */
export interface DeliveryMetrics {
  readonly window: { readonly from: string; readonly to: string };
  readonly deployment_frequency: {
    readonly deploys: number;
    readonly per_week: number;
    readonly band: FrequencyBand;
  };
  readonly lead_time: { readonly median_hours: number | null; readonly band: DurationBand | null };
  readonly change_failure_rate: {
    readonly failed: number;
    readonly deploys: number;
    readonly rate: number | null;
    readonly band: FailureBand | null;
  };
  readonly time_to_restore: { readonly median_hours: number | null; readonly band: DurationBand | null };
  readonly rollback_rate: number | null;
  readonly deploy_success_rate: number | null;
  readonly pipeline: {
    readonly p50_minutes: number | null;
    readonly p95_minutes: number | null;
    readonly budget_minutes: number;
  };
  readonly time_to_production: { readonly mean_hours: number | null };
  readonly zero_downtime: {
    readonly rollouts: number;
    readonly clean: number;
    readonly share: number | null;
  };
  readonly rollback_time: { readonly median_seconds: number | null; readonly max_seconds: number | null };
  readonly slo: readonly SloResult[];
}

/** The window: [from, to) in epoch ms, and the start of the data (no day before it counts for frequency). */
export interface MetricsWindow {
  readonly from: number;
  readonly to: number;
  readonly dataStart?: number;
}

const round = (value: number | undefined, digits: number): number | null =>
  value === undefined || !Number.isFinite(value) ? null : Number(value.toFixed(digits));
const ratio = (part: number, whole: number) => (whole === 0 ? null : round(part / whole, 4));

/** Hours from each commit to the completed deploy that brought it; automated (not positive) ones left out. */
export function leadTimesHours(deploys: readonly DeployFact[]): number[] {
  const hours: number[] = [];
  for (const d of deploys) {
    if (d.result !== 'completed') continue;
    for (const change of d.changes) {
      const ms = d.time - change.time;
      if (ms > 0) hours.push(ms / HOUR);
    }
  }
  return hours;
}

/** How many of `deploys` (in time order) ended at or before `at`. */
function countAtOrBefore(deploys: readonly DeployFact[], at: number): number {
  let low = 0;
  let high = deploys.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (deploys[mid]!.time <= at) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** Completed deploys by service and environment, each list in time order. */
function completedByTarget(
  deploys: readonly DeployFact[],
): (service: string, environment: string) => readonly DeployFact[] {
  const byTarget = new Map<string, DeployFact[]>();
  for (const d of deploys) {
    if (d.result !== 'completed') continue;
    const key = `${d.service}\u0000${d.environment}`;
    const list = byTarget.get(key);
    if (list) list.push(d);
    else byTarget.set(key, [d]);
  }
  return (service, environment) => byTarget.get(`${service}\u0000${environment}`) ?? [];
}

/** Which deploys failed: those that did not complete, and completed ones an incident or a manual rollback followed before the next deploy. */
export function failedDeploys(facts: DeliveryFacts): Set<DeployFact> {
  const failed = new Set<DeployFact>(facts.deploys.filter((d) => d.result !== 'completed'));
  const completed = completedByTarget(facts.deploys);
  // The completed deploy that was running when it happened.
  const blame = (service: string, environment: string, at: number) => {
    const list = completed(service, environment);
    const culprit = list[countAtOrBefore(list, at) - 1];
    if (culprit) failed.add(culprit);
  };
  for (const i of facts.incidents) blame(i.service, i.environment, i.openedAt);
  for (const r of facts.rollbacks) blame(r.service, r.environment, r.startedAt);
  return failed;
}

/** Hours from each failure to its recovery, for failures that recovered. */
export function restoreHours(facts: DeliveryFacts): number[] {
  const hours: number[] = [];
  const completed = completedByTarget(facts.deploys);
  // A rollout rolled back or aborted: from its start to traffic back on the stable revision.
  for (const d of facts.deploys)
    if (d.result !== 'completed' && d.decidedAt !== undefined && typeof d.restoreMs === 'number')
      hours.push((d.decidedAt + d.restoreMs - d.startedAt) / HOUR);
  // A manual rollback: from the deploy it undid to its end.
  for (const r of facts.rollbacks) {
    const list = completed(r.service, r.environment);
    const culprit = list[countAtOrBefore(list, r.startedAt) - 1];
    if (culprit) hours.push((r.time - culprit.time) / HOUR);
  }
  // An incident: from its opening to its close or the next completed deploy, whichever came first.
  for (const i of facts.incidents) {
    const list = completed(i.service, i.environment);
    const healed = list[countAtOrBefore(list, i.openedAt)];
    const ends = [i.resolvedAt, healed?.time].filter((t): t is number => typeof t === 'number');
    if (ends.length > 0) hours.push((Math.min(...ends) - i.openedAt) / HOUR);
  }
  return hours;
}

/** Computes every figure of the window from its facts. */
export function deliveryMetrics(
  facts: DeliveryFacts,
  window: MetricsWindow,
  slo: ResolvedSlo,
): DeliveryMetrics {
  const attempts = facts.deploys;
  const completed = attempts.filter((d) => d.result === 'completed');
  const weeks = (window.to - window.from) / (7 * DAY);
  const lead = leadTimesHours(attempts);
  const medianLead = percentile(lead, 0.5);
  const failed = failedDeploys(facts).size;
  const rate = ratio(failed, attempts.length);
  const restore = percentile(restoreHours(facts), 0.5);
  const rolledBack = attempts.filter((d) => d.result !== 'completed').length + facts.rollbacks.length;
  const runs = facts.pipelines.map((p) => p.durationMs / 60_000);
  const measured = attempts.filter((d) => d.traffic !== null);
  const clean = measured.filter((d) => d.traffic?.failed === 0).length;
  const restores = [
    ...attempts.flatMap((d) =>
      d.result !== 'completed' && typeof d.restoreMs === 'number' ? [d.restoreMs] : [],
    ),
    ...facts.rollbacks.map((r) => r.restoreMs),
  ].map((ms) => ms / 1000);
  const meanLead = lead.length === 0 ? undefined : lead.reduce((a, b) => a + b, 0) / lead.length;
  const figures = {
    window: { from: new Date(window.from).toISOString(), to: new Date(window.to).toISOString() },
    deployment_frequency: {
      deploys: completed.length,
      per_week: round(weeks > 0 ? completed.length / weeks : 0, 2) ?? 0,
      band: frequencyBand(
        completed.map((d) => d.time),
        Math.max(window.from, window.dataStart ?? window.from),
        window.to - 1,
      ),
    },
    lead_time: {
      median_hours: round(medianLead, 2),
      band: medianLead === undefined ? null : durationBand(medianLead),
    },
    change_failure_rate: {
      failed,
      deploys: attempts.length,
      rate,
      band: rate === null ? null : failureBand(rate),
    },
    time_to_restore: {
      median_hours: round(restore, 2),
      band: restore === undefined ? null : durationBand(restore),
    },
    rollback_rate: ratio(rolledBack, attempts.length),
    deploy_success_rate: ratio(completed.length, attempts.length),
    pipeline: {
      p50_minutes: round(percentile(runs, 0.5), 2),
      p95_minutes: round(percentile(runs, 0.95), 2),
      budget_minutes: round(slo.pipelineDurationMs / 60_000, 2) ?? 0,
    },
    time_to_production: { mean_hours: round(meanLead, 2) },
    zero_downtime: { rollouts: measured.length, clean, share: ratio(clean, measured.length) },
    rollback_time: {
      median_seconds: round(percentile(restores, 0.5), 1),
      max_seconds: restores.length === 0 ? null : round(Math.max(...restores), 1),
    },
  };
  return { ...figures, slo: sloResults(figures, slo) };
}

/** Each success target against the figures: met, missed, or null with nothing to measure. */
function sloResults(f: Omit<DeliveryMetrics, 'slo'>, slo: ResolvedSlo): SloResult[] {
  const check = (
    name: SloResult['name'],
    target: number,
    value: number | null,
    met: (value: number) => boolean,
  ): SloResult => ({ name, target, value, met: value === null ? null : met(value) });
  const rollbackSeconds = slo.rollbackTimeMs / 1000;
  const budget = slo.pipelineDurationMs / 60_000;
  const ttp = slo.timeToProductionMs / HOUR;
  return [
    check('zero_downtime', slo.zeroDowntime, f.zero_downtime.share, (v) => v >= slo.zeroDowntime),
    check(
      'deploy_success_rate',
      slo.deploySuccessRate,
      f.deploy_success_rate,
      (v) => v > slo.deploySuccessRate,
    ),
    check('rollback_time', rollbackSeconds, f.rollback_time.max_seconds, (v) => v < rollbackSeconds),
    check('pipeline_duration', budget, f.pipeline.p95_minutes, (v) => v < budget),
    check('time_to_production', ttp, f.time_to_production.mean_hours, (v) => v < ttp),
  ];
}
