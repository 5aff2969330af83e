/**
 * Plans a rollout: turns a strategy, the checks and hooks, and the running state into explicit
 * steps, without doing anything. An executor applies each step in a fixed order (scale up and wait
 * until ready, run the step's check, set weights, scale down, hold, wait for promote). With
 * `checks.security` the new revision is checked before it gets traffic (`securityCheck`) and again
 * right after it gets all of it (`securityVerify`). With `migrations:` the `expand` step runs before
 * any traffic moves and the `contract` step last, after a hold of `contractAfter` with analysis once
 * the old revision is gone. A feature flag rollout's steps are those of the revision replacement
 * before the flag moves (its `replace`).
 */
import type { ResolvedChecks, ResolvedHooks, ResolvedStrategy } from '../config/resolved.js';
import type { ResolvedMigrations } from '../config/resolved-migrations.js';
import type { RolloutStep } from './rollout-step.js';
import { planBlueGreen } from './strategies/blue-green.js';
import { planCanary } from './strategies/canary.js';
import { planFirstDeploy } from './strategies/first-deploy.js';
import { planRolling } from './strategies/rolling.js';
import { step, withSecurityVerify } from './strategies/steps.js';

/** The steps of a rollout, in order; empty when there is nothing to deploy. */
export interface RolloutPlan {
  readonly strategy: ResolvedStrategy['kind'];
  readonly steps: readonly RolloutStep[];
}

/** What a rollout is planned from. */
export interface RolloutInput {
  readonly strategy: ResolvedStrategy;
  readonly checks: ResolvedChecks;
  readonly hooks: ResolvedHooks;
  /** The service's expand/contract migrations, if any. */
  readonly migrations?: ResolvedMigrations;
  /** Desired instances of the new revision (at least 1). */
  readonly instances: number;
  /** The revision serving now (the one with the highest weight) and its instance count. */
  readonly stable?: { readonly id: string; readonly instances: number };
  /** The new revision's id. */
  readonly next: string;
}

/**
 * Plans a rollout. Without a stable revision (or one with no instances) every strategy plans a
 * first deploy; when the new revision is the stable one there is nothing to do.
 */
export function planRollout(input: RolloutInput): RolloutPlan {
  const strategy = input.strategy.kind;
  if (!Number.isInteger(input.instances) || input.instances < 1)
    throw new RangeError(`a rollout needs at least 1 instance, got ${input.instances}`);
  if (input.stable?.id === input.next) return { strategy, steps: [] };
  const stable = input.stable && input.stable.instances > 0 ? input.stable : undefined;
  const planned = !stable
    ? planFirstDeploy(input)
    : input.strategy.kind === 'canary'
      ? planCanary(input.strategy, { ...input, stable })
      : input.strategy.kind === 'blueGreen'
        ? planBlueGreen(input.strategy, { ...input, stable })
        : input.strategy.kind === 'featureFlag'
          ? planRolling(input.strategy.replace, { ...input, stable })
          : planRolling(input.strategy, { ...input, stable });
  const body = input.checks.security !== undefined ? withSecurityVerify(planned) : planned;
  const first = body[0];
  const last = body[body.length - 1];
  if (!first || !last) return { strategy, steps: [] };
  const before = stable
    ? {
        weights: { [stable.id]: 100, [input.next]: 0 },
        instances: { [stable.id]: stable.instances, [input.next]: 0 },
      }
    : { weights: { [input.next]: 0 }, instances: { [input.next]: 0 } };
  return {
    strategy,
    steps: [
      ...(input.hooks.preDeploy !== undefined ? [{ action: 'preDeploy' as const, ...before }] : []),
      ...(input.migrations?.expand !== undefined ? [{ action: 'expand' as const, ...before }] : []),
      ...body,
      ...(input.hooks.postDeploy !== undefined
        ? [{ action: 'postDeploy' as const, weights: last.weights, instances: last.instances }]
        : []),
      // A flag rollout still serves the old code path from the new revision until the flag moves: no contract.
      ...(input.migrations?.contract !== undefined && strategy !== 'featureFlag'
        ? contractSteps(input.migrations, last)
        : []),
    ],
  };
}

/** The hold of `contractAfter` with analysis (when there is one), then `contract`, in the state `last` leaves. */
function contractSteps(migrations: ResolvedMigrations, last: RolloutStep): RolloutStep[] {
  const state = { weights: last.weights, instances: last.instances };
  return [
    ...(migrations.contractAfterMs > 0
      ? [
          step('pause', state.weights, state.instances, {
            durationMs: migrations.contractAfterMs,
            analyze: true,
          }),
        ]
      : []),
    { action: 'contract', ...state },
  ];
}
