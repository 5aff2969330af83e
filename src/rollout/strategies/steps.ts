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
export function checkActions(checks: ResolvedChecks): ('warmup' | 'smoke' | 'securityCheck')[] {
  return [
    ...(checks.warmup.length > 0 ? (['warmup'] as const) : []),
    ...(checks.smoke.length > 0 ? (['smoke'] as const) : []),
    ...(checks.security !== undefined ? (['securityCheck'] as const) : []),
  ];
}

/**
 * The steps with `securityVerify` right after `promote`, with the same weights and instances. It
 * takes over promote's hold (and pause), so the new revision is checked as soon as it has all
 * traffic, while a canary's or blue-green's stable revision still runs for a one-flip rollback.
 */
export function withSecurityVerify(steps: readonly RolloutStep[]): RolloutStep[] {
  const index = steps.findIndex((s) => s.action === 'promote');
  const promote = steps[index];
  if (!promote) return [...steps];
  const { durationMs, analyze, pause, ...moved } = promote;
  return [
    ...steps.slice(0, index),
    moved,
    step('securityVerify', moved.weights, moved.instances, {
      durationMs,
      ...(analyze ? { analyze } : {}),
      ...(pause ? { pause } : {}),
    }),
    ...steps.slice(index + 1),
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
