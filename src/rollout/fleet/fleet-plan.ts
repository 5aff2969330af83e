/**
 * Plans a rollout over a fleet, pure: from an environment's fleet (regions, waves, failover,
 * rollback scope) and the strategy plan of one host to the waves in the order they start, each
 * with its hosts, steps, whole-percent traffic share and when it may start, plus what a failure
 * rolls back and how failover behaves. `slipway plan` prints it; nothing here does I/O.
 */
import type { ResolvedFleet } from '../../config/resolved.js';
import type { RolloutPlan } from '../plan-rollout.js';
import type { RolloutStep } from '../rollout-step.js';
import { largestRemainder } from './share-weights.js';

/** One wave: a region, its hosts and steps, its traffic share and when it may start. */
export interface FleetWavePlan {
  readonly region: string;
  /** Host names of the region, in file order; every one of them runs `steps`. */
  readonly hosts: readonly string[];
  /** The region's share of the environment's traffic in whole percent; the waves' shares add up to 100. */
  readonly traffic: number;
  /** The configured offset: the wave starts no earlier than this many ms after the rollout starts. */
  readonly startsAtMs: number;
  /** The wave before, which must complete its steps and analysis first; absent for the first wave. */
  readonly after?: string;
  /**
   * The soonest the wave can start, in ms after the rollout starts: its offset, or the earliest
   * the wave before can complete (its start plus its holds), whichever is later. Waiting for
   * readiness or `slipway promote` only makes it later.
   */
  readonly earliestStartMs: number;
  /**
   * The steps each host of the region takes, as planned for one host; the hooks and migrations run
   * once per rollout, so `preDeploy` and `expand` are only in the first wave and `postDeploy`,
   * `contract` and the `contractAfter` hold before it only in the last, while the
   * security checks (`securityCheck`, `securityVerify`) run in every wave, on each region's endpoint.
   */
  readonly steps: readonly RolloutStep[];
}

/** How traffic leaves an unhealthy region, with the threshold in percent. */
export interface FleetFailoverPlan {
  readonly strategy: 'automatic' | 'manual';
  /** Percent (0..100) of a region's health checks that must pass; below it the region fails over. */
  readonly healthThreshold: number;
  /** The longest a switchover may take. */
  readonly switchoverMs: number;
}

/**
 * A rollout over a fleet. On a failure the rollout stops (later waves do not start); `rollback`
 * says what goes back: `all` every region changed so far, `region` only the failing one.
 */
export interface FleetPlan {
  readonly waves: readonly FleetWavePlan[];
  readonly rollback: 'all' | 'region';
  readonly failover: FleetFailoverPlan;
}

/** The fleet plan of `fleet` when each of its hosts takes the steps of `hostPlan`. */
export function planFleet(fleet: ResolvedFleet, hostPlan: RolloutPlan): FleetPlan {
  const shares = largestRemainder(Object.fromEntries(fleet.waves.map((w) => [w.region, w.traffic])));
  const holdMs = totalHoldMs(hostPlan.steps);
  const waves: FleetWavePlan[] = [];
  const last = fleet.waves.length - 1;
  for (const [index, wave] of fleet.waves.entries()) {
    const before = waves[waves.length - 1];
    const steps = hostPlan.steps.filter(
      (step, i) =>
        (!['preDeploy', 'expand'].includes(step.action) || index === 0) &&
        ((step.action !== 'postDeploy' && !contractPhase(hostPlan.steps, i)) || index === last),
    );
    waves.push({
      region: wave.region,
      hosts: fleet.regions[wave.region] ?? [],
      traffic: shares?.[wave.region] ?? 0,
      startsAtMs: wave.offsetMs,
      ...(before ? { after: before.region } : {}),
      earliestStartMs: before ? Math.max(wave.offsetMs, before.earliestStartMs + holdMs) : wave.offsetMs,
      steps,
    });
  }
  return {
    waves,
    rollback: fleet.rollback,
    failover: {
      strategy: fleet.failover.strategy,
      // 0.95 * 100 is 95.00000000000001: keep a few decimals and no floating-point noise.
      healthThreshold: Math.round(fleet.failover.healthThreshold * 100_000) / 1000,
      switchoverMs: fleet.failover.switchoverMs,
    },
  };
}

/** The least time the steps take: the sum of their holds (the analysis runs during them). */
export function totalHoldMs(steps: readonly RolloutStep[]): number {
  return steps.reduce((sum, step) => sum + (step.durationMs ?? 0), 0);
}

/** True for `contract` and the hold of `contractAfter` just before it. */
function contractPhase(steps: readonly RolloutStep[], i: number): boolean {
  const step = steps[i];
  return step?.action === 'contract' || (step?.action === 'pause' && steps[i + 1]?.action === 'contract');
}
