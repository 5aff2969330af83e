/**
 * Holds a step for its duration: every analysis interval it measures the window since the last
 * one (router metrics of the new and the stable revision, external providers, synthetic
 * journeys), judges it, and stops early on a failed verdict or a control request.
 */
import type { RouterMetricsSnapshot } from '../../platform/traffic-metrics.js';
import { diffSnapshots } from '../../router/metrics.js';
import type { Rollout } from '../../store/store.js';
import type { Measurement } from '../analysis/analysis-types.js';
import { measureExternal } from '../analysis/external-providers.js';
import { INITIAL_ANALYSIS, judge } from '../analysis/judge.js';
import { measureRouter } from '../analysis/measure-router.js';
import type { RolloutStep } from '../rollout-step.js';
import { type CheckTarget, runJourneys } from './checks.js';
import type { ControllerDeps, StepResult } from './controller-types.js';
import type { RolloutSpec } from './rollout-spec.js';

/** How often a hold looks for control requests. */
const POLL_MS = 50;

/** What a hold needs. */
export interface HoldArgs {
  readonly rollout: Rollout;
  readonly spec: RolloutSpec;
  readonly step: RolloutStep;
  readonly target: CheckTarget;
  readonly deps: ControllerDeps;
  readonly lastStep: number;
  readonly saveMeasurements: (measurements: readonly Measurement[]) => Promise<void>;
}

/** Holds the step; returns early on a verdict or a request. */
export async function holdStep(args: HoldArgs): Promise<StepResult> {
  const { rollout, spec, step, deps } = args;
  const now = () => deps.clock.now();
  const ref = { service: rollout.service, env: rollout.environment };
  const duration = step.durationMs ?? 0;
  const started = now();
  const interval = Math.max(100, spec.analysis.intervalMs);
  let state = INITIAL_ANALYSIS;
  // Synthetic journeys run during every hold, even one whose metrics are not analysed.
  const analyzing = step.analyze === true || spec.checks.synthetic.length > 0;
  const metrics = step.analyze === true ? spec.analysis.metrics : [];
  let previous: RouterMetricsSnapshot | undefined = analyzing ? await deps.platform.metrics(ref) : undefined;
  let nextAt = started + interval;
  while (now() - started < duration) {
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
    if (analyzing && previous && now() >= nextAt) {
      nextAt += interval;
      const snapshot = await deps.platform.metrics(ref);
      const window = diffSnapshots(snapshot, previous);
      previous = snapshot;
      const measurements = await measureAll(args, window, metrics);
      for (const m of measurements)
        deps.report({ type: 'analysis.measurement', rollout: rollout.id, step: rollout.step, ...m });
      await args.saveMeasurements(measurements);
      const judged = judge(state, measurements, spec.analysis);
      state = judged.state;
      const verdict = judged.verdict;
      if (verdict.status === 'failed')
        return { status: 'failed', reason: verdict.reason, measurement: verdict.measurement };
      if (verdict.status === 'error')
        return { status: 'aborted', reason: `analysis error: ${verdict.reason}` };
      if (verdict.status === 'inconclusive')
        return { status: 'paused', reason: `analysis inconclusive: ${verdict.reason}` };
    }
    const remaining = duration - (now() - started);
    // Only an analysed hold wakes up for its next measurement: otherwise nextAt stays in the past
    // and the hold would look for requests every millisecond.
    const untilMeasurement = analyzing ? nextAt - now() : POLL_MS;
    await deps.clock.sleep(Math.max(1, Math.min(POLL_MS, remaining, untilMeasurement)));
  }
  return { status: 'done' };
}

/** Every measurement of one interval. */
async function measureAll(
  args: HoldArgs,
  window: RouterMetricsSnapshot,
  metrics: RolloutSpec['analysis']['metrics'],
): Promise<Measurement[]> {
  const { spec } = args;
  const canary = window.revisions[spec.next.id];
  const stable = spec.stable ? window.revisions[spec.stable.id] : undefined;
  const vars = {
    revision: spec.next.id,
    stable: spec.stable?.id ?? '',
    service: args.rollout.service,
    env: args.rollout.environment,
  };
  const measurements = await Promise.all(
    metrics.map((check) =>
      check.provider.kind === 'router'
        ? Promise.resolve(
            measureRouter(
              check,
              { ...(canary ? { canary } : {}), ...(stable ? { stable } : {}) },
              spec.analysis.minRequests,
            ),
          )
        : measureExternal(check, vars),
    ),
  );
  if (spec.checks.synthetic.length > 0)
    measurements.push(...(await runJourneys(spec.checks.synthetic, args.target)));
  return measurements;
}
