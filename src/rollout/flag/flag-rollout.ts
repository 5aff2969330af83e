/**
 * Drives a flag rollout: the provider gives the variant each step's share, and each share is held
 * while the requests served with the variant are judged against the rest, with the canary's
 * analysis (intervals judged like Argo Rollouts, and between them the fast rule over a sliding
 * window). A failed verdict sets the share back to 0 at once; the steps, the verdicts and the
 * rollback are events in the log.
 */

import type { FlagProvider, FlagRolloutTarget } from '../../flags/providers/flag-provider.js';
import type { RouterMetricsSnapshot } from '../../platform/traffic-metrics.js';
import { diffSnapshots } from '../../router/metrics.js';
import type { EventType } from '../../store/event-types.js';
import type { Store } from '../../store/store.js';
import type { AnalysisLimits, AnalysisState, Measurement, MetricCheck } from '../analysis/analysis-types.js';
import { fastChecks, fastFailure } from '../analysis/fast-failure.js';
import { INITIAL_ANALYSIS, judge, mayAdvance } from '../analysis/judge.js';
import { measureChecks } from '../analysis/measure-checks.js';
import { SlidingWindow } from '../analysis/sliding-window.js';
import type { RolloutClock } from '../rollout-clock.js';
import type { FlagRolloutStep } from './plan-flag-rollout.js';
import { BASELINE_KEY, VARIANT_KEY, variantView } from './variant-metrics.js';

/** How often a hold reads the router's counters for the fast rule. */
const POLL_MS = 50;

/** What a flag rollout does and judges. */
export interface FlagRolloutSpec extends FlagRolloutTarget {
  /** The service whose router counts the variants (its responses carry the variants header). */
  readonly service: string;
  readonly env: string;
  readonly steps: readonly FlagRolloutStep[];
  readonly metrics: readonly MetricCheck[];
  readonly analysis: AnalysisLimits & { readonly intervalMs: number; readonly minRequests: number };
  readonly autoRollback: boolean;
}

/** What a flag rollout reports as it goes (printed as NDJSON with --json). */
export type FlagRolloutEvent =
  | {
      readonly type: 'flagrollout.step';
      readonly flag: string;
      readonly step: number;
      readonly percent: number;
    }
  | ({ readonly type: 'flagrollout.measurement'; readonly flag: string; readonly step: number } & Measurement)
  | {
      readonly type: 'flagrollout.rollback';
      readonly flag: string;
      readonly reason: string;
      readonly restoreMs: number;
    }
  | {
      readonly type: 'flagrollout.finished';
      readonly flag: string;
      readonly status: FlagRolloutOutcome['status'];
      readonly reason?: string;
    };

/** How a flag rollout ended. */
export type FlagRolloutOutcome =
  | { readonly status: 'completed' }
  | {
      readonly status: 'rolled_back';
      readonly reason: string;
      readonly measurement?: Measurement;
      /** From the failed verdict to the share at 0. */
      readonly restoreMs: number;
    }
  /** Stopped with the share left where it was: autoRollback off, analysis inconclusive, or the provider failed. */
  | { readonly status: 'halted'; readonly reason: string; readonly percent: number };

/** What a flag rollout is wired with. */
export interface FlagRolloutDeps {
  readonly provider: FlagProvider;
  /** The cumulative router counters of the spec's service, variants included. */
  readonly metrics: () => Promise<RouterMetricsSnapshot>;
  readonly store: Store;
  readonly clock: RolloutClock;
  readonly actor: string;
  readonly report: (event: FlagRolloutEvent) => void;
  readonly signal?: AbortSignal;
}

type HoldResult =
  | { readonly status: 'done'; readonly analysis: AnalysisState }
  | { readonly status: 'failed'; readonly reason: string; readonly measurement?: Measurement }
  | { readonly status: 'halted'; readonly reason: string };

/** Runs the rollout to its end. */
export async function runFlagRollout(
  spec: FlagRolloutSpec,
  deps: FlagRolloutDeps,
): Promise<FlagRolloutOutcome> {
  const { provider } = deps;
  const record = (type: EventType, data: Record<string, unknown>) =>
    deps.store.appendEvent({
      type,
      actor: deps.actor,
      service: spec.service,
      environment: spec.env,
      subject: `flag/${spec.flag}`,
      data: { flag: spec.flag, variant: spec.variant, provider: provider.name, ...data },
    });
  const { baseline, settled } = await provider.prepare(spec);
  if (settled) {
    deps.report({
      type: 'flagrollout.finished',
      flag: spec.flag,
      status: 'completed',
      reason: `${spec.variant} already serves everyone`,
    });
    return { status: 'completed' };
  }
  const target = { flag: spec.flag, variant: spec.variant, baseline };
  await record('flagrollout.started', {
    baseline,
    steps: spec.steps.map((s) => ({ percent: s.percent, holdMs: s.holdMs })),
  });
  let analysis = INITIAL_ANALYSIS;
  let percent = 0;
  const finish = async (outcome: FlagRolloutOutcome): Promise<FlagRolloutOutcome> => {
    deps.report({
      type: 'flagrollout.finished',
      flag: spec.flag,
      status: outcome.status,
      ...('reason' in outcome ? { reason: outcome.reason } : {}),
    });
    return outcome;
  };
  for (const [i, step] of spec.steps.entries()) {
    try {
      await provider.setShare(target, step.percent);
    } catch (error) {
      const reason = `setting ${spec.variant} to ${step.percent}% failed: ${(error as Error).message}`;
      await record('flagrollout.progressed', { step: i, percent, halted: true, reason });
      return finish({ status: 'halted', reason, percent });
    }
    percent = step.percent;
    deps.report({ type: 'flagrollout.step', flag: spec.flag, step: i, percent });
    await record('flagrollout.progressed', { step: i, percent });
    if (step.holdMs <= 0 && i < spec.steps.length - 1) continue;
    if (step.holdMs <= 0) break;
    const held = await hold(spec, deps, i, step, analysis, i === spec.steps.length - 2);
    if (held.status === 'done') {
      analysis = held.analysis;
      continue;
    }
    if (held.status === 'failed' && spec.autoRollback) {
      const started = deps.clock.now();
      await provider.setShare(target, 0);
      const restoreMs = deps.clock.now() - started;
      deps.report({ type: 'flagrollout.rollback', flag: spec.flag, reason: held.reason, restoreMs });
      await record('flagrollout.rolledback', {
        step: i,
        from: percent,
        reason: held.reason,
        restoreMs,
        ...(held.measurement ? { measurement: held.measurement } : {}),
      });
      return finish({
        status: 'rolled_back',
        reason: held.reason,
        restoreMs,
        ...(held.measurement ? { measurement: held.measurement } : {}),
      });
    }
    const reason =
      held.status === 'failed'
        ? `${held.reason} (autoRollback is off: the share stays at ${percent}%)`
        : held.reason;
    await record('flagrollout.progressed', { step: i, percent, halted: true, reason });
    return finish({ status: 'halted', reason, percent });
  }
  await provider.complete?.(target);
  await record('flagrollout.completed', { baseline });
  return finish({ status: 'completed' });
}

// Holds one step: the fast rule every POLL_MS, a judged measurement every interval; ends once
// the duration is over and the latest measurement lets the rollout advance.
async function hold(
  spec: FlagRolloutSpec,
  deps: FlagRolloutDeps,
  index: number,
  step: FlagRolloutStep,
  initial: AnalysisState,
  promotesNext: boolean,
): Promise<HoldResult> {
  const now = () => deps.clock.now();
  const view = async () => variantView(await deps.metrics(), spec.flag, spec.variant);
  const interval = Math.max(100, spec.analysis.intervalMs);
  const fast = fastChecks(spec.metrics);
  const sliding = fast.length > 0 ? new SlidingWindow(interval) : undefined;
  const started = now();
  // A hold with nothing to judge reads no counters: the service need not run yet.
  const measuring = spec.metrics.length > 0;
  let previous = measuring ? await view() : undefined;
  if (previous) sliding?.push(started, previous);
  let nextAt = started + interval;
  let state = initial;
  let latest: { at: number; measurements: readonly Measurement[] } | undefined;
  const report = (m: Measurement) =>
    deps.report({ type: 'flagrollout.measurement', flag: spec.flag, step: index, ...m });
  for (;;) {
    if (deps.signal?.aborted) return { status: 'halted', reason: 'stopped: the process is shutting down' };
    let snapshot: RouterMetricsSnapshot | undefined;
    if (sliding) {
      snapshot = await view();
      sliding.push(now(), snapshot);
      const tripped = fastFailure(fast, sliding.spans(VARIANT_KEY), spec.analysis.minRequests);
      if (tripped) {
        report(tripped);
        return { status: 'failed', reason: tripped.message, measurement: tripped };
      }
    }
    if (previous && now() >= nextAt) {
      while (nextAt <= now()) nextAt += interval;
      snapshot ??= await view();
      const window = diffSnapshots(snapshot, previous);
      previous = snapshot;
      const measurements = await measure(spec, window);
      for (const m of measurements) report(m);
      const judged = judge(state, measurements, spec.analysis);
      state = judged.state;
      latest = { at: now(), measurements };
      const verdict = judged.verdict;
      if (verdict.status === 'failed' || verdict.status === 'error')
        return { status: 'failed', reason: verdict.reason, measurement: verdict.measurement };
      if (verdict.status === 'inconclusive')
        return { status: 'halted', reason: `analysis inconclusive: ${verdict.reason}` };
    }
    const remaining = step.holdMs - (now() - started);
    const ended =
      spec.metrics.length === 0 ||
      (latest !== undefined &&
        latest.at >= started + step.holdMs &&
        mayAdvance(latest.measurements, promotesNext));
    if (remaining <= 0 && ended) return { status: 'done', analysis: state };
    const untilMeasurement = spec.metrics.length > 0 ? nextAt - now() : remaining;
    await deps.clock.sleep(Math.max(1, Math.min(POLL_MS, Math.max(remaining, POLL_MS), untilMeasurement)));
  }
}

function measure(spec: FlagRolloutSpec, window: RouterMetricsSnapshot): Promise<Measurement[]> {
  const vars = { flag: spec.flag, variant: spec.variant, service: spec.service, env: spec.env };
  const counters = { canary: window.revisions[VARIANT_KEY], stable: window.revisions[BASELINE_KEY] };
  return measureChecks(spec.metrics, counters, spec.analysis.minRequests, vars);
}
