/**
 * Canary: the new revision takes growing shares of traffic, each held for its duration (analysed)
 * or until promoted, with instances scaled for its share; the stable revision keeps its full size
 * until the new one has 100%.
 */
import type { ResolvedStrategy } from '../../config/resolved.js';
import type { RolloutStep } from '../rollout-step.js';
import { checkActions, counts, type StrategyInput, shares, step } from './steps.js';

type Canary = Extract<ResolvedStrategy, { kind: 'canary' }>;

/** Instances of the new revision for a traffic share: at least 1, rounded up. */
export function canaryInstances(instances: number, traffic: number): number {
  return Math.max(1, Math.ceil((instances * traffic) / 100 - 1e-9));
}

/** Steps of a canary rollout from a stable revision (hooks are added by planRollout). */
export function planCanary(strategy: Canary, input: StrategyInput): RolloutStep[] {
  const { stable, next, instances } = input;
  const S = stable.instances;
  const analyze = strategy.metrics.length > 0;
  const stages = strategy.stages.filter((s) => s.traffic < 100);
  const final = strategy.stages.find((s) => s.traffic >= 100);
  const firstCount = canaryInstances(instances, stages[0]?.traffic ?? 100);
  const before = shares(stable, S, next, 0);
  const steps: RolloutStep[] = [
    step('scaleUp', before, counts(stable, S, next, firstCount)),
    ...checkActions(input.checks).map((action) => step(action, before, counts(stable, S, next, firstCount))),
  ];
  for (const stage of stages) {
    steps.push(
      step(
        'traffic',
        shares(stable, S, next, stage.traffic),
        counts(stable, S, next, canaryInstances(instances, stage.traffic)),
        {
          durationMs: stage.durationMs,
          analyze,
          pause: stage.pause || stage.durationMs === undefined,
        },
      ),
    );
  }
  steps.push(
    step('promote', shares(stable, S, next, 100), counts(stable, S, next, instances), {
      durationMs: final?.durationMs,
      analyze,
      pause: final?.pause === true,
    }),
    step('scaleDown', shares(stable, 0, next, 100), counts(stable, 0, next, instances)),
  );
  return steps;
}
