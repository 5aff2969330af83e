/**
 * Blue-green: the new revision comes up beside the old at full size and is checked (and
 * optionally analysed) with no traffic; then traffic switches in one step or in weight steps, and
 * the old revision stays warm for `scaleDownDelay` so that rollback is one flip.
 */
import type { ResolvedStrategy } from '../../config/resolved.js';
import type { RolloutStep } from '../rollout-step.js';
import { checkActions, counts, type StrategyInput, shares, step } from './steps.js';

type BlueGreen = Extract<ResolvedStrategy, { kind: 'blueGreen' }>;

/** Steps of a blue-green rollout from a stable revision (hooks are added by planRollout). */
export function planBlueGreen(strategy: BlueGreen, input: StrategyInput): RolloutStep[] {
  const { stable, next, instances } = input;
  const both = counts(stable, stable.instances, next, instances);
  const analyze = strategy.metrics.length > 0;
  const before = shares(stable, stable.instances, next, 0);
  const steps: RolloutStep[] = [
    step('scaleUp', before, both),
    ...checkActions(input.checks).map((action) => step(action, before, both)),
  ];
  if (strategy.analysisDurationMs > 0)
    steps.push(step('pause', before, both, { durationMs: strategy.analysisDurationMs, analyze }));
  if (strategy.switchover === 'gradual')
    for (const share of strategy.steps.filter((s) => s < 100))
      steps.push(
        step('traffic', shares(stable, stable.instances, next, share), both, {
          durationMs: strategy.stepDurationMs,
          analyze,
        }),
      );
  steps.push(
    step('promote', shares(stable, stable.instances, next, 100), both, {
      durationMs: strategy.scaleDownDelayMs,
      analyze,
    }),
    step('scaleDown', shares(stable, 0, next, 100), counts(stable, 0, next, instances)),
  );
  return steps;
}
