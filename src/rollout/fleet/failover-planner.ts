/**
 * The failover planner of a fleet's edge, pure: from the configured shares, the state carried
 * over, one observation and the operator's commands to the next state, the weights and region
 * states to apply, and the events to record. The rules:
 * - a region whose health stays below the threshold for `confirmMs` fails over, its share going
 *   to the healthy regions in proportion to their shares; never when no healthy region with a
 *   share is left (a single region, or every other one unhealthy or failed over): it is reported;
 * - a failed-over region that stays healthy for `holdMs` gets its share back in steps of
 *   `restoreStep`, one every `restoreStepMs` while it stays healthy; an unhealthy observation
 *   restarts the hold, so a flapping region does not come back early;
 * - a region failed over by hand only comes back by hand; strategy `manual` only reports;
 * - while every region with a share is unhealthy the weights stay as they were, and it is reported.
 */
import type { RegionState } from '../../platform/traffic-director.js';
import { applyCommand } from './failover-commands.js';
import { FailoverError } from './failover-errors.js';
import { restoreSteps } from './failover-policy.js';
import type {
  CommandResult,
  FailoverCommand,
  FailoverEvent,
  FailoverPlan,
  FailoverPolicy,
  FailoverState,
  FleetObservation,
  KeptReason,
  RegionHealth,
  RegionPhase,
  RegionTrack,
} from './failover-types.js';
import { addSample, isUnhealthy, regionHealth } from './region-health.js';
import {
  canTakeOver,
  directorStateOf,
  type EventDraft,
  failOver,
  type PhaseBoard,
  startRestore,
} from './region-phases.js';
import { weightsFor } from './share-weights.js';

/** What one planning step reads. */
export interface FailoverInput {
  /** Configured share (0..1) of each region, in wave order; they add up to 1. */
  readonly shares: Readonly<Record<string, number>>;
  readonly policy: FailoverPolicy;
  readonly state: FailoverState;
  readonly observation: FleetObservation;
  /** Operator commands given since the last step, oldest first. */
  readonly commands?: readonly FailoverCommand[];
}

function checkShares(shares: Readonly<Record<string, number>>): void {
  const values = Object.values(shares);
  if (values.some((share) => !(Number.isFinite(share) && share >= 0)) || !values.some((share) => share > 0)) {
    throw new FailoverError(
      'invalid_shares',
      `region shares must be 0 or more with one above 0, got ${JSON.stringify(shares)}`,
    );
  }
}

/** Every region in service at its configured share, as of `at`. */
export function initialFailoverState(shares: Readonly<Record<string, number>>, at: number): FailoverState {
  checkShares(shares);
  const regions: Record<string, RegionTrack> = {};
  for (const name of Object.keys(shares))
    regions[name] = { phase: { status: 'in_service', since: at }, samples: [] };
  const phases = Object.fromEntries(Object.entries(regions).map(([name, track]) => [name, track.phase]));
  return { regions, weights: weightsFor(shares, phases, 1) ?? {} };
}

/** The in-service phase without the marks of an unhealthy streak. */
function inService(since: number): RegionPhase {
  return { status: 'in_service', since };
}

/** Plans one observation; see the module comment for the rules. */
export function planFailover(input: FailoverInput): FailoverPlan {
  const { shares, policy, state, observation } = input;
  checkShares(shares);
  const at = observation.at;
  const names = Object.keys(shares);
  const samples: Record<string, RegionTrack['samples']> = {};
  const health: Record<string, RegionHealth> = {};
  const unhealthy: Record<string, boolean | undefined> = {};
  const phases: Record<string, RegionPhase> = {};
  for (const name of names) {
    const prior = state.regions[name] ?? { phase: inService(at), samples: [] };
    const observed = observation.regions[name];
    samples[name] = addSample(prior.samples, at, observed?.counters, policy.windowMs);
    health[name] = regionHealth(samples[name], observed, policy);
    unhealthy[name] = isUnhealthy(health[name], policy);
    phases[name] = prior.phase;
  }
  const board: PhaseBoard = {
    shares,
    phases,
    unhealthy,
    health,
    previous: state.weights,
    steps: restoreSteps(policy),
  };
  const drafts: EventDraft[] = [];
  const touched = new Set<string>();
  const commands: CommandResult[] = [];
  for (const command of input.commands ?? []) {
    const outcome = applyCommand(board, command, at);
    commands.push(outcome.result);
    if (outcome.draft) drafts.push(outcome.draft);
    if (outcome.result.status === 'accepted') touched.add(command.region);
  }
  const candidates = names.filter(
    (name) => !touched.has(name) && followHealth(board, name, at, policy, drafts),
  );
  for (const name of candidates) decideFailover(board, name, at, policy, drafts);

  const weights = weightsFor(shares, phases, board.steps) ?? state.weights;
  const events: FailoverEvent[] = drafts.map((draft) => draft(weights));
  const withShare = names.filter((name) => (shares[name] ?? 0) > 0);
  const allUnhealthy = withShare.length > 0 && withShare.every((name) => unhealthy[name] === true);
  if (allUnhealthy && state.allUnhealthySince === undefined) {
    events.push({ kind: 'all_unhealthy', at, regions: withShare, weights });
  }
  const regions: Record<string, RegionTrack> = {};
  const regionStates: Record<string, RegionState> = {};
  for (const name of names) {
    const phase = phases[name] as RegionPhase;
    regions[name] = { phase, samples: samples[name] ?? [] };
    regionStates[name] = directorStateOf(phase);
  }
  const allUnhealthySince = allUnhealthy ? (state.allUnhealthySince ?? at) : undefined;
  return {
    state: { regions, weights, ...(allUnhealthySince === undefined ? {} : { allUnhealthySince }) },
    weights,
    regionStates,
    health,
    events,
    commands,
  };
}

/**
 * Moves `name` along with its health: streak marks, the hold and the restore steps. True when the
 * region is unhealthy while taking traffic, a candidate for failing over.
 */
function followHealth(
  board: PhaseBoard,
  name: string,
  at: number,
  policy: FailoverPolicy,
  drafts: EventDraft[],
): boolean {
  const phase = board.phases[name] as RegionPhase;
  const bad = board.unhealthy[name];
  const health = board.health[name] ?? { basis: 'unknown' };
  if (phase.status === 'failed_over') {
    if (bad !== false) {
      board.phases[name] = { status: 'failed_over', mode: phase.mode, since: phase.since };
      return false;
    }
    const healthySince = phase.healthySince ?? at;
    if (phase.mode === 'automatic' && at - healthySince >= policy.holdMs) {
      drafts.push(startRestore(board, name, 'automatic', healthySince, at));
    } else board.phases[name] = { ...phase, healthySince };
    return false;
  }
  if (bad === undefined) return false;
  if (bad) {
    // While unhealthy a restore does not step: the next step waits a full step after it recovers.
    board.phases[name] =
      phase.status === 'restoring'
        ? { ...phase, unhealthySince: phase.unhealthySince ?? at, stepAt: at }
        : { ...phase, unhealthySince: phase.unhealthySince ?? at };
    return true;
  }
  if (phase.reported) drafts.push(() => ({ kind: 'recovered', region: name, at, health }));
  if (phase.status === 'in_service') {
    board.phases[name] = inService(phase.since);
    return false;
  }
  const { mode, since, triggeredAt, step, stepAt } = phase;
  if (at - stepAt < policy.restoreStepMs) {
    board.phases[name] = { status: 'restoring', mode, since, triggeredAt, step, stepAt };
  } else if (step + 1 >= board.steps) {
    board.phases[name] = inService(at);
    drafts.push((weights) => ({ kind: 'restored', region: name, mode, since: triggeredAt, at, weights }));
  } else {
    board.phases[name] = { status: 'restoring', mode, since, triggeredAt, step: step + 1, stepAt: at };
    const steps = board.steps;
    drafts.push((weights) => ({
      kind: 'restore_progressed',
      region: name,
      mode,
      since: triggeredAt,
      at,
      step: step + 1,
      steps,
      weights,
    }));
  }
  return false;
}

/** Once a region has been unhealthy for `confirmMs`: fails it over, or reports once per streak why it keeps its traffic. */
function decideFailover(
  board: PhaseBoard,
  name: string,
  at: number,
  policy: FailoverPolicy,
  drafts: EventDraft[],
): void {
  const phase = board.phases[name] as Extract<RegionPhase, { status: 'in_service' | 'restoring' }>;
  const since = phase.unhealthySince ?? at;
  if (at - since < policy.confirmMs) return;
  let reason: KeptReason;
  if (!((board.shares[name] ?? 0) > 0)) reason = 'zero_share';
  else if (policy.strategy === 'manual') reason = 'manual_strategy';
  else if (!canTakeOver(board, name, true)) reason = 'nowhere_to_go';
  else {
    drafts.push(failOver(board, name, 'automatic', since, at));
    return;
  }
  if (phase.reported) return;
  board.phases[name] = { ...phase, reported: true };
  const health = board.health[name] ?? { basis: 'unknown' };
  drafts.push(() => ({ kind: 'unhealthy', region: name, since, at, health, reason }));
}
