/**
 * Holds a step for its duration. Every analysis interval it measures the window since the last
 * one (router metrics of the new and the stable revision, external providers, synthetic
 * journeys) and judges it with the rollout's counts; between intervals it judges the router's
 * error rate over a sliding window (the fast rule). It stops early on a failed verdict or a
 * control request, and a measured hold ends only on a measurement that lets the rollout advance.
 */
import type { RouterMetricsSnapshot } from '../../platform/traffic-metrics.js';
import { diffSnapshots } from '../../router/metrics.js';
import type { Rollout } from '../../store/store.js';
import type { AnalysisState, Measurement } from '../analysis/analysis-types.js';
import { fastChecks, fastFailure } from '../analysis/fast-failure.js';
import { judge, mayAdvance } from '../analysis/judge.js';
import { SlidingWindow } from '../analysis/sliding-window.js';
import type { RolloutStep } from '../rollout-step.js';
import type { CheckTarget } from './checks.js';
import type { ControllerDeps, StepResult } from './controller-types.js';
import { measureInterval } from './measure-interval.js';
import type { RolloutSpec } from './rollout-spec.js';

/** How often a hold looks for control requests and reads the router's metrics for the fast rule. */
const POLL_MS = 50;

/** What a hold needs. */
export interface HoldArgs {
  readonly rollout: Rollout;
  readonly spec: RolloutSpec;
  readonly step: RolloutStep;
  readonly target: CheckTarget;
  readonly deps: ControllerDeps;
  readonly lastStep: number;
  /** The step after this one gives the new revision all traffic: the hold ends only on a passing measurement. */
  readonly promotesNext: boolean;
  /** The rollout's counts so far (every earlier analysed hold added to them). */
  readonly analysis: AnalysisState;
  /** Stores the latest measurements with the counts they leave. */
  readonly saveMeasurements: (measurements: readonly Measurement[], analysis: AnalysisState) => Promise<void>;
}

/** Holds the step; returns early on a verdict or a request. */
export async function holdStep(args: HoldArgs): Promise<StepResult> {
  const { rollout, spec, step, deps } = args;
  const now = () => deps.clock.now();
  const ref = { service: rollout.service, env: rollout.environment };
  const duration = step.durationMs ?? 0;
  const started = now();
  const interval = Math.max(100, spec.analysis.intervalMs);
  let state = args.analysis;
  // Synthetic journeys run during every hold, even one whose metrics are not analysed.
  const measuring = step.analyze === true || spec.checks.synthetic.length > 0;
  const metrics = step.analyze === true ? spec.analysis.metrics : [];
  const fast = fastChecks(metrics);
  const sliding = fast.length > 0 ? new SlidingWindow(interval) : undefined;
  let previous: RouterMetricsSnapshot | undefined = measuring ? await deps.platform.metrics(ref) : undefined;
  if (sliding && previous) sliding.push(now(), previous);
  let nextAt = started + interval;
  let latest: { readonly at: number; readonly measurements: readonly Measurement[] } | undefined;
  const report = (m: Measurement) =>
    deps.report({ type: 'analysis.measurement', rollout: rollout.id, step: rollout.step, ...m });
  for (;;) {
    if (deps.signal?.aborted) return { status: 'released' };
    const current = await deps.store.getRollout(rollout.id);
    switch (current?.request) {
      case 'abort':
        return { status: 'aborted', reason: 'aborted by request' };
      case 'promote':
        await deps.store.updateRollout(rollout.id, { request: null });
        return { status: 'done' };
      case 'promote_full':
        return { status: 'jump', to: args.lastStep };
      case 'pause':
        return { status: 'paused', reason: 'paused by request' };
    }
    let snapshot: RouterMetricsSnapshot | undefined;
    if (sliding) {
      snapshot = await deps.platform.metrics(ref);
      sliding.push(now(), snapshot);
      const tripped = fastFailure(fast, sliding.spans(spec.next.id), spec.analysis.minRequests);
      if (tripped) {
        report(tripped);
        await args.saveMeasurements([tripped], state);
        return { status: 'failed', reason: tripped.message, measurement: tripped };
      }
    }
    if (measuring && previous && now() >= nextAt) {
      while (nextAt <= now()) nextAt += interval;
      snapshot ??= await deps.platform.metrics(ref);
      const window = diffSnapshots(snapshot, previous);
      previous = snapshot;
      const measurements = await measureInterval({ ...args, window, metrics });
      for (const m of measurements) report(m);
      const judged = judge(state, measurements, spec.analysis);
      state = judged.state;
      latest = { at: now(), measurements };
      await args.saveMeasurements(measurements, state);
      const verdict = judged.verdict;
      if (verdict.status === 'failed')
        return { status: 'failed', reason: verdict.reason, measurement: verdict.measurement };
      if (verdict.status === 'error')
        return { status: 'aborted', reason: `analysis error: ${verdict.reason}` };
      if (verdict.status === 'inconclusive')
        return { status: 'paused', reason: `analysis inconclusive: ${verdict.reason}`, inconclusive: true };
    }
    const remaining = duration - (now() - started);
    // A measured hold ends on a measurement taken once its duration is over (so at least one), and
    // only on one that lets the rollout advance; failed and inconclusive intervals add to the
    // counts, so a canary that keeps failing or stays silent reaches a limit instead of the next step.
    const ended =
      !measuring ||
      (latest !== undefined &&
        latest.at >= started + duration &&
        mayAdvance(latest.measurements, args.promotesNext));
    if (remaining <= 0 && ended) return { status: 'done' };
    // Only a measuring hold wakes up for its next measurement: otherwise nextAt stays in the past
    // and the hold would look for requests every millisecond.
    const untilMeasurement = measuring ? nextAt - now() : POLL_MS;
    const untilEnd = remaining > 0 ? remaining : POLL_MS;
    await deps.clock.sleep(Math.max(1, Math.min(POLL_MS, untilEnd, untilMeasurement)));
  }
}
