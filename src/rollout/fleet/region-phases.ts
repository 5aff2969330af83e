/**
 * The transitions of one region's phase that both the health rules and the operator's commands
 * make: fail over, start a restore, and the check that some other region can take the traffic.
 * Each returns the new phase and an event draft whose weights are filled in once the plan has them.
 */
import type { RegionState } from '../../platform/traffic-director.js';
import type { FailoverEvent, FailoverMode, RegionHealth, RegionPhase } from './failover-types.js';

/** An event still waiting for the weights of the plan it belongs to. */
export type EventDraft = (weights: Readonly<Record<string, number>>) => FailoverEvent;

/** The phases of a plan in the making, and the facts the transitions read. */
export interface PhaseBoard {
  readonly shares: Readonly<Record<string, number>>;
  readonly phases: Record<string, RegionPhase>;
  /** True unhealthy, false healthy, undefined unknown. */
  readonly unhealthy: Readonly<Record<string, boolean | undefined>>;
  readonly health: Readonly<Record<string, RegionHealth>>;
  /** Weights before this plan, for the share a failover moves. */
  readonly previous: Readonly<Record<string, number>>;
  readonly steps: number;
}

/**
 * True when a region other than `region` with a share is in service or restoring and could take
 * its traffic; `healthy` also asks that it be known healthy (the health rules), an operator's
 * command does not.
 */
export function canTakeOver(board: PhaseBoard, region: string, healthy: boolean): boolean {
  return Object.keys(board.shares).some((other) => {
    if (other === region || !((board.shares[other] ?? 0) > 0)) return false;
    const status = board.phases[other]?.status;
    if (status !== 'in_service' && status !== 'restoring') return false;
    return !healthy || board.unhealthy[other] === false;
  });
}

/** Takes `region` out: its phase becomes failed over, measured from `since`. */
export function failOver(
  board: PhaseBoard,
  region: string,
  mode: FailoverMode,
  since: number,
  at: number,
): EventDraft {
  const movedShare = board.phases[region]?.status === 'failed_over' ? 0 : (board.previous[region] ?? 0);
  board.phases[region] = { status: 'failed_over', mode, since: at };
  const health = board.health[region] ?? { basis: 'unknown' };
  return (weights) => ({ kind: 'failed_over', region, mode, since, at, health, movedShare, weights });
}

/** Starts giving `region` its share back: the first step now (or all of it for a one-step restore). */
export function startRestore(
  board: PhaseBoard,
  region: string,
  mode: FailoverMode,
  triggeredAt: number,
  at: number,
): EventDraft {
  if (board.steps <= 1) {
    board.phases[region] = { status: 'in_service', since: at };
    return (weights) => ({ kind: 'restored', region, mode, since: triggeredAt, at, weights });
  }
  board.phases[region] = { status: 'restoring', mode, since: at, triggeredAt, step: 1, stepAt: at };
  const steps = board.steps;
  return (weights) => ({
    kind: 'restore_started',
    region,
    mode,
    since: triggeredAt,
    at,
    step: 1,
    steps,
    weights,
  });
}

/** The director state of a region in `phase`: a region failing is `down`, one an operator took out `drain`s. */
export function directorStateOf(phase: RegionPhase): RegionState {
  if (phase.status !== 'failed_over') return 'ready';
  return phase.mode === 'automatic' ? 'down' : 'drain';
}
