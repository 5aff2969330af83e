/** Takes one analysis interval's measurements: router metrics over the window, external providers, and synthetic journeys. */
import type { RouterMetricsSnapshot } from '../../platform/traffic-metrics.js';
import type { Rollout } from '../../store/store.js';
import type { Measurement, MetricCheck } from '../analysis/analysis-types.js';
import { measureChecks } from '../analysis/measure-checks.js';
import { type CheckTarget, runJourneys } from './checks.js';
import type { RolloutSpec } from './rollout-spec.js';

/** Every measurement of one interval, metrics in their configured order, then journeys. */
export async function measureInterval(args: {
  readonly rollout: Rollout;
  readonly spec: RolloutSpec;
  readonly target: CheckTarget;
  readonly window: RouterMetricsSnapshot;
  readonly metrics: readonly MetricCheck[];
}): Promise<Measurement[]> {
  const { spec, window } = args;
  const canary = window.revisions[spec.next.id];
  const stable = spec.stable ? window.revisions[spec.stable.id] : undefined;
  const vars = {
    revision: spec.next.id,
    stable: spec.stable?.id ?? '',
    service: args.rollout.service,
    env: args.rollout.environment,
  };
  const measurements = await measureChecks(args.metrics, { canary, stable }, spec.analysis.minRequests, vars);
  if (spec.checks.synthetic.length > 0)
    measurements.push(...(await runJourneys(spec.checks.synthetic, args.target)));
  return measurements;
}
