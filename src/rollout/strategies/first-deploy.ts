/**
 * The first deploy of a service to an environment: nothing serves yet, so every strategy brings
 * the new revision up at full size, checks it, and gives it all traffic at once.
 */
import type { ResolvedChecks } from '../../config/resolved.js';
import type { RolloutStep } from '../rollout-step.js';
import { checkActions, step } from './steps.js';

/** Steps of a first deploy (hooks are added by planRollout). */
export function planFirstDeploy(input: {
  readonly checks: ResolvedChecks;
  readonly instances: number;
  readonly next: string;
}): RolloutStep[] {
  const { next, instances } = input;
  const up = { [next]: instances };
  return [
    step('scaleUp', { [next]: 0 }, up),
    ...checkActions(input.checks).map((action) => step(action, { [next]: 0 }, up)),
    step('promote', { [next]: 100 }, up),
  ];
}
