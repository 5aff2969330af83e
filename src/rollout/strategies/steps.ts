/** Building blocks shared by the strategy planners: step records, weights and the checks before traffic. */
import type { ResolvedChecks } from '../../config/resolved.js';
import type { RolloutAction, RolloutStep } from '../rollout-step.js';

/** The stable revision a strategy replaces (always with at least one instance). */
export interface Stable {
  readonly id: string;
  readonly instances: number;
}

/** What every strategy planner gets besides its strategy. */
export interface StrategyInput {
  readonly checks: ResolvedChecks;
  readonly instances: number;
  readonly stable: Stable;
  readonly next: string;
}

/** The check steps run on new instances before they get traffic, in order. */
export function checkActions(checks: ResolvedChecks): ('warmup' | 'smoke')[] {
  return [
    ...(checks.warmup.length > 0 ? (['warmup'] as const) : []),
    ...(checks.smoke.length > 0 ? (['smoke'] as const) : []),
  ];
}

/** Instances per revision, stable first; both are always listed. */
export function counts(
  stable: Stable,
  stableCount: number,
  next: string,
  nextCount: number,
): Record<string, number> {
  return { [stable.id]: stableCount, [next]: nextCount };
}

/**
 * Weights with the new revision's share `nextShare`: every revision with instances is listed, and
 * the new one always; a stable revision without instances is left out.
 */
export function shares(
  stable: Stable,
  stableCount: number,
  next: string,
  nextShare: number,
): Record<string, number> {
  const stableShare = round(100 - nextShare);
  return stableCount > 0 || stableShare > 0
    ? { [stable.id]: stableShare, [next]: nextShare }
    : { [next]: nextShare };
}

/** Rounds a percentage to the router's resolution (0.001). */
export function round(percent: number): number {
  return Math.round(percent * 1000) / 1000;
}

/** A step, with the optional hold and pause only when they apply. */
export function step(
  action: RolloutAction,
  weights: Record<string, number>,
  instances: Record<string, number>,
  options: { durationMs?: number | undefined; analyze?: boolean; pause?: boolean } = {},
): RolloutStep {
  const hold = options.durationMs !== undefined && options.durationMs > 0 ? options.durationMs : undefined;
  return {
    action,
    weights,
    instances,
    ...(hold !== undefined ? { durationMs: hold } : {}),
    ...(hold !== undefined && options.analyze ? { analyze: true } : {}),
    ...(options.pause ? { pause: true } : {}),
  };
}
