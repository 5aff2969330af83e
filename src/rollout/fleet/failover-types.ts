/**
 * The data of a fleet's failover: what the planner reads (configured shares, policy, state, an
 * observation, manual commands) and what it returns (the next state, whole-number weights, the
 * region states to apply and the events to record). Plain readonly data, so plans compare in tests.
 */
import type { RegionCounters, RegionState } from '../../platform/traffic-director.js';

/** How the planner judges and moves traffic; `failoverPolicy` derives one from the config. */
export interface FailoverPolicy {
  /** `automatic` fails regions over on its own; `manual` only reports them and obeys commands. */
  readonly strategy: 'automatic' | 'manual';
  /** Health (0..1) below which a region is unhealthy. */
  readonly healthThreshold: number;
  /** The longest a switchover may take, from the first unhealthy observation to the weights applied. */
  readonly switchoverMs: number;
  /** How often the loop observes the edge. */
  readonly intervalMs: number;
  /** The span of traffic health is judged on. */
  readonly windowMs: number;
  /** Fewer requests than this in the window and health is judged by instance readiness instead. */
  readonly minRequests: number;
  /** How long a region must stay unhealthy before it fails over (0: at the first unhealthy observation). */
  readonly confirmMs: number;
  /** How long a failed-over region must stay healthy before its share starts coming back. */
  readonly holdMs: number;
  /** The part (0..1] of its share a restoring region gets back per step. */
  readonly restoreStep: number;
  /** Time between two restore steps. */
  readonly restoreStepMs: number;
}

/** Cumulative counters of one region read at `at`; `failed` is server plus connection errors. */
export interface CounterSample {
  readonly at: number;
  readonly requests: number;
  readonly failed: number;
}

/** Whether a failover came from the health rules or from an operator. */
export type FailoverMode = 'automatic' | 'manual';

/** Where a region stands; each phase keeps the times its transitions are measured from. */
export type RegionPhase =
  | {
      readonly status: 'in_service';
      readonly since: number;
      /** First observation of the current unhealthy streak. */
      readonly unhealthySince?: number;
      /** True once the current unhealthy streak was reported without action. */
      readonly reported?: boolean;
    }
  | {
      readonly status: 'failed_over';
      readonly mode: FailoverMode;
      readonly since: number;
      /** First observation of the current healthy streak; the hold period counts from it. */
      readonly healthySince?: number;
    }
  | {
      readonly status: 'restoring';
      readonly mode: FailoverMode;
      readonly since: number;
      /** What the restore is measured from: the first healthy observation, or the command. */
      readonly triggeredAt: number;
      /** Steps given back so far, 1..steps-1. */
      readonly step: number;
      /** When the last step was given (or, while unhealthy, last postponed). */
      readonly stepAt: number;
      readonly unhealthySince?: number;
      readonly reported?: boolean;
    };

/** One region's phase and the counter samples its health window needs. */
export interface RegionTrack {
  readonly phase: RegionPhase;
  /** Oldest first: one sample at or before the window's start, then every sample inside it. */
  readonly samples: readonly CounterSample[];
}

/** Everything the planner carries from one observation to the next. */
export interface FailoverState {
  readonly regions: Readonly<Record<string, RegionTrack>>;
  /** The weights of the last plan (whole numbers summing to 100). */
  readonly weights: Readonly<Record<string, number>>;
  /** Set while every region with a share is unhealthy (reported once per streak). */
  readonly allUnhealthySince?: number;
}

/** What one region showed at an observation. */
export interface RegionObservation {
  /** Cumulative counters from the director; absent when it does not count. */
  readonly counters?: RegionCounters;
  readonly ready?: number;
  readonly desired?: number;
}

/** One look at the edge. */
export interface FleetObservation {
  readonly at: number;
  readonly regions: Readonly<Record<string, RegionObservation>>;
}

/** A region's health at an observation, and what it was judged on. */
export type RegionHealth =
  | { readonly basis: 'requests'; readonly value: number; readonly requests: number; readonly failed: number }
  | { readonly basis: 'readiness'; readonly value: number; readonly ready: number; readonly desired: number }
  | { readonly basis: 'unknown' };

/** An operator's command: `failover --from REGION` or `failover --restore REGION`. */
export interface FailoverCommand {
  readonly kind: 'fail_over' | 'restore';
  readonly region: string;
  /** When it was given; a manual switch is measured from here. */
  readonly at: number;
}

/** What became of a command. */
export type CommandResult =
  | { readonly status: 'accepted'; readonly command: FailoverCommand }
  | {
      readonly status: 'rejected';
      readonly command: FailoverCommand;
      readonly reason:
        | 'unknown_region'
        | 'nowhere_to_go'
        | 'not_failed_over'
        | 'already_failed_over'
        | 'stopped';
      readonly message: string;
    };

/** Why an unhealthy region keeps its traffic. */
export type KeptReason = 'manual_strategy' | 'nowhere_to_go' | 'zero_share';

/** What the planner decided, one event per transition, to be recorded in the event log. */
export type FailoverEvent =
  | {
      readonly kind: 'failed_over';
      readonly region: string;
      readonly mode: FailoverMode;
      /** First unhealthy observation (automatic) or the command (manual): the switch time counts from here. */
      readonly since: number;
      readonly at: number;
      readonly health: RegionHealth;
      /** The share (0..100, as planned) the region had and the others took over. */
      readonly movedShare: number;
      readonly weights: Readonly<Record<string, number>>;
    }
  | {
      readonly kind: 'restore_started' | 'restore_progressed';
      readonly region: string;
      readonly mode: FailoverMode;
      readonly since: number;
      readonly at: number;
      readonly step: number;
      readonly steps: number;
      readonly weights: Readonly<Record<string, number>>;
    }
  | {
      readonly kind: 'restored';
      readonly region: string;
      readonly mode: FailoverMode;
      /** When the restore was triggered. */
      readonly since: number;
      readonly at: number;
      readonly weights: Readonly<Record<string, number>>;
    }
  | {
      readonly kind: 'unhealthy';
      readonly region: string;
      readonly since: number;
      readonly at: number;
      readonly health: RegionHealth;
      readonly reason: KeptReason;
    }
  | {
      readonly kind: 'recovered';
      readonly region: string;
      readonly at: number;
      readonly health: RegionHealth;
    }
  | {
      readonly kind: 'all_unhealthy';
      readonly at: number;
      readonly regions: readonly string[];
      /** The weights kept. */
      readonly weights: Readonly<Record<string, number>>;
    };

/** The events that change weights: they are recorded once the weights are applied, with the switch time. */
export type SwitchEvent = Extract<FailoverEvent, { readonly weights: unknown; readonly since: number }>;

/** What one planning step returns. */
export interface FailoverPlan {
  readonly state: FailoverState;
  /** Whole numbers 0..100 summing to exactly 100, every configured region listed. */
  readonly weights: Readonly<Record<string, number>>;
  /** The director state each region should be in. */
  readonly regionStates: Readonly<Record<string, RegionState>>;
  readonly health: Readonly<Record<string, RegionHealth>>;
  readonly events: readonly FailoverEvent[];
  readonly commands: readonly CommandResult[];
}
