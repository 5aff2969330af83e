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

/** The completed deploys of a service in an environment, in time order. */
type CompletedOf = (service: string, environment: string) => readonly DeployFact[];

const NONE: readonly DeployFact[] = [];

/** Completed deploys by service and environment, each list in time order. */
function completedByTarget(deploys: readonly DeployFact[]): CompletedOf {
  const byTarget = new Map<string, Map<string, DeployFact[]>>();
  for (const d of deploys) {
    if (d.result !== 'completed') continue;
    let byEnvironment = byTarget.get(d.service);
    if (!byEnvironment) {
      byEnvironment = new Map();
      byTarget.set(d.service, byEnvironment);
    }
    const list = byEnvironment.get(d.environment);
    if (list) list.push(d);
    else byEnvironment.set(d.environment, [d]);
  }
  return (service, environment) => byTarget.get(service)?.get(environment) ?? NONE;
}

/** failedDeploys over an index of the completed deploys built once. */
function failedAmong(facts: DeliveryFacts, completed: CompletedOf): Set<DeployFact> {
  const failed = new Set<DeployFact>();
  for (const d of facts.deploys) if (d.result !== 'completed') failed.add(d);
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

/** Which deploys failed: those that did not complete, and completed ones an incident or a manual rollback followed before the next deploy. */
export function failedDeploys(facts: DeliveryFacts): Set<DeployFact> {
  return failedAmong(facts, completedByTarget(facts.deploys));
}

/** restoreHours over an index of the completed deploys built once. */
function restoreAmong(facts: DeliveryFacts, completed: CompletedOf): number[] {
  const hours: number[] = [];
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
    const end =
      i.resolvedAt === null
        ? healed?.time
        : healed === undefined
          ? i.resolvedAt
          : Math.min(i.resolvedAt, healed.time);
    if (end !== undefined) hours.push((end - i.openedAt) / HOUR);
  }
  return hours;
}

/** Hours from each failure to its recovery, for failures that recovered. */
export function restoreHours(facts: DeliveryFacts): number[] {
  return restoreAmong(facts, completedByTarget(facts.deploys));
}

/**
 * `values` in ascending order, sorted natively: `percentile` sorts its own copy with a comparator,
 * which costs milliseconds for a window's pipeline runs unless the input is in order already.
 */
function ascending(values: readonly number[]): number[] {
  const sorted = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) sorted[i] = values[i]!;
  sorted.sort();
  const out = new Array<number>(sorted.length);
  for (let i = 0; i < sorted.length; i++) out[i] = sorted[i]!;
  return out;
}

/** Computes every figure of the window from its facts. */
export function deliveryMetrics(
  facts: DeliveryFacts,
  window: MetricsWindow,
  slo: ResolvedSlo,
): DeliveryMetrics {
  const attempts = facts.deploys;
  const completedTimes: number[] = [];
  let measured = 0;
  let clean = 0;
  const restores: number[] = [];
  for (const d of attempts) {
    if (d.result === 'completed') completedTimes.push(d.time);
    else if (typeof d.restoreMs === 'number') restores.push(d.restoreMs);
    if (d.traffic !== null) {
      measured++;
      if (d.traffic.failed === 0) clean++;
    }
  }
  for (const r of facts.rollbacks) restores.push(r.restoreMs);
  const completed = completedTimes.length;
  const weeks = (window.to - window.from) / (7 * DAY);
  const leadHours = leadTimesHours(attempts);
  const lead = ascending(leadHours);
  const medianLead = percentile(lead, 0.5);
  const byTarget = completedByTarget(attempts);
  const failed = failedAmong(facts, byTarget).size;
  const rate = ratio(failed, attempts.length);
  const restore = percentile(ascending(restoreAmong(facts, byTarget)), 0.5);
  const rolledBack = attempts.length - completed + facts.rollbacks.length;
  const runs = ascending(facts.pipelines.map((p) => p.durationMs / 60_000));
  const restoreSeconds = ascending(restores.map((ms) => ms / 1000));
  // Summed in the order of the deploys, as ever: a float sum depends on its order.
  const meanLead = lead.length === 0 ? undefined : leadHours.reduce((a, b) => a + b, 0) / lead.length;
  const figures = {
    window: { from: new Date(window.from).toISOString(), to: new Date(window.to).toISOString() },
    deployment_frequency: {
      deploys: completed,
      per_week: round(weeks > 0 ? completed / weeks : 0, 2) ?? 0,
      band: frequencyBand(
        completedTimes,
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
    deploy_success_rate: ratio(completed, attempts.length),
    pipeline: {
      p50_minutes: round(percentile(runs, 0.5), 2),
      p95_minutes: round(percentile(runs, 0.95), 2),
      budget_minutes: round(slo.pipelineDurationMs / 60_000, 2) ?? 0,
    },
    time_to_production: { mean_hours: round(meanLead, 2) },
    zero_downtime: { rollouts: measured, clean, share: ratio(clean, measured) },
    rollback_time: {
      median_seconds: round(percentile(restoreSeconds, 0.5), 1),
      max_seconds: restoreSeconds.length === 0 ? null : round(restoreSeconds[restoreSeconds.length - 1], 1),
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
