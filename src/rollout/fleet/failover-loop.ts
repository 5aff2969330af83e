/**
 * The thin loop around the failover planner: every interval it reads the director's status and the
 * regions' instance readiness, plans, applies the weights and region states, and records the
 * events. A switch event is recorded once its weights are applied, with the switch time measured
 * from the first unhealthy observation (or the command) to then. Failures of the director, the
 * readiness source or the recorder are reported and retried on the next round, never thrown.
 */
import type { DirectorStatus, RegionState, TrafficDirector } from '../../platform/traffic-director.js';
import type { RolloutClock } from '../rollout-clock.js';
import { FailoverError, type FailoverErrorCode } from './failover-errors.js';
import { initialFailoverState, planFailover } from './failover-planner.js';
import type {
  CommandResult,
  FailoverCommand,
  FailoverEvent,
  FailoverPlan,
  FailoverPolicy,
  FailoverState,
  FleetObservation,
  RegionObservation,
  SwitchEvent,
} from './failover-types.js';

/** Ready and desired instances of one region. */
export interface RegionReadiness {
  readonly ready: number;
  readonly desired: number;
}

/** An event as recorded: a switch carries when its weights were applied and how long it took. */
export type RecordedFailoverEvent =
  | (SwitchEvent & { readonly appliedAt: number; readonly switchMs: number })
  | Exclude<FailoverEvent, SwitchEvent>;

/** What the loop needs, all injected. */
export interface FailoverLoopDeps {
  readonly director: TrafficDirector;
  /** Configured share (0..1) of each region, in wave order. */
  readonly shares: Readonly<Record<string, number>>;
  readonly policy: FailoverPolicy;
  readonly clock: RolloutClock;
  /** Ready and desired instances per region; a region left out is judged on its traffic alone. */
  readonly readiness: () => Promise<Readonly<Record<string, RegionReadiness>>>;
  /** Appends an event to the log. */
  readonly record: (event: RecordedFailoverEvent) => void | Promise<void>;
  /** Told about every failure the loop carries on after. */
  readonly report: (error: FailoverError) => void;
  /** The state to resume from; default every region in service. */
  readonly state?: FailoverState;
  /** Sees every plan (status output, tests). */
  readonly onPlan?: (plan: FailoverPlan) => void;
}

/** A running failover loop. */
export interface FailoverLoop {
  /** `failover --from REGION`: carried out at once, on a round of its own. */
  failOver(region: string): Promise<CommandResult>;
  /** `failover --restore REGION`: starts the region's gradual return. */
  restore(region: string): Promise<CommandResult>;
  /** The planner state after the last round. */
  state(): FailoverState;
  /** Ends the loop after the round in progress; commands still queued are rejected. */
  stop(): Promise<void>;
}

interface Queued {
  readonly command: FailoverCommand;
  readonly resolve: (result: CommandResult) => void;
}

function sameWeights(
  applied: Readonly<Record<string, number>>,
  wanted: Readonly<Record<string, number>>,
): boolean {
  const names = new Set([...Object.keys(applied), ...Object.keys(wanted)]);
  return [...names].every((name) => (applied[name] ?? 0) === (wanted[name] ?? 0));
}

function isSwitch(event: FailoverEvent): event is SwitchEvent {
  return 'weights' in event && 'since' in event;
}

/** The observation of `status` and `readiness` for the configured regions. */
export function observe(
  at: number,
  regions: readonly string[],
  status: DirectorStatus,
  readiness: Readonly<Record<string, RegionReadiness>>,
): FleetObservation {
  const observed: Record<string, RegionObservation> = {};
  for (const name of regions) {
    const counters = status.regions.find((region) => region.name === name)?.counters;
    const ready = Object.hasOwn(readiness, name) ? readiness[name] : undefined;
    observed[name] = { ...(counters ? { counters } : {}), ...(ready ?? {}) };
  }
  return { at, regions: observed };
}

/** Starts the loop; its first round runs at once. Throws FailoverError `invalid_shares` for shares it cannot plan. */
export function startFailoverLoop(deps: FailoverLoopDeps): FailoverLoop {
  const { director, shares, policy, clock } = deps;
  const names = Object.keys(shares);
  let state = deps.state ?? initialFailoverState(shares, clock.now());
  const queue: Queued[] = [];
  const pending: SwitchEvent[] = [];
  let stopped = false;
  let sleeper: AbortController | undefined;
  // Set by a command that arrives during a round, so the next round starts at once.
  let woken = false;

  const fail = (code: FailoverErrorCode, what: string, cause: unknown): void => {
    deps.report(new FailoverError(code, `${what}: ${(cause as Error)?.message ?? String(cause)}`, { cause }));
  };
  const record = async (event: RecordedFailoverEvent): Promise<void> => {
    try {
      await deps.record(event);
    } catch (error) {
      fail('record_failed', `could not record ${event.kind}`, error);
    }
  };

  /** Applies the plan; true when the director has its weights now. */
  const apply = async (plan: FailoverPlan, status: DirectorStatus): Promise<boolean> => {
    const weights = Object.fromEntries(status.regions.map((region) => [region.name, region.weight]));
    const states = new Map(status.regions.map((region) => [region.name, region.state]));
    const setState = async (name: string, wanted: RegionState): Promise<void> => {
      if (states.get(name) === wanted) return;
      try {
        await director.setRegionState(name, wanted);
      } catch (error) {
        fail('apply_failed', `could not set region ${name} to ${wanted}`, error);
      }
    };
    // A returning region is put back in service before it gets weight, a leaving one taken out after.
    const entries = Object.entries(plan.regionStates);
    for (const [name, wanted] of entries) if (wanted === 'ready') await setState(name, wanted);
    let applied = sameWeights(weights, plan.weights);
    if (!applied) {
      try {
        await director.setWeights(plan.weights);
        applied = true;
      } catch (error) {
        fail('apply_failed', 'could not set the weights', error);
      }
    }
    for (const [name, wanted] of entries) if (wanted !== 'ready') await setState(name, wanted);
    return applied;
  };

  const round = async (): Promise<void> => {
    const at = clock.now();
    let status: DirectorStatus;
    try {
      status = await director.status();
    } catch (error) {
      fail('status_failed', 'could not read the director status', error);
      return;
    }
    let readiness: Readonly<Record<string, RegionReadiness>> = {};
    try {
      readiness = await deps.readiness();
    } catch (error) {
      fail('readiness_failed', 'could not read instance readiness', error);
    }
    const taken = queue.splice(0);
    let plan: FailoverPlan;
    try {
      plan = planFailover({
        shares,
        policy,
        state,
        observation: observe(at, names, status, readiness),
        commands: taken.map((item) => item.command),
      });
    } catch (error) {
      queue.unshift(...taken);
      throw error;
    }
    state = plan.state;
    deps.onPlan?.(plan);
    for (const event of plan.events) {
      if (isSwitch(event)) pending.push(event);
      else await record(event);
    }
    if (await apply(plan, status)) {
      const appliedAt = clock.now();
      for (const event of pending.splice(0))
        await record({ ...event, appliedAt, switchMs: appliedAt - event.since });
    }
    // Answered once the director has been told, so the caller sees the weights applied (or the report).
    taken.forEach((item, i) => {
      item.resolve(plan.commands[i] as CommandResult);
    });
  };

  const done = (async () => {
    while (!stopped) {
      const started = clock.now();
      woken = false;
      try {
        await round();
      } catch (error) {
        fail('round_failed', 'a failover round failed (this is a bug)', error);
      }
      // Commands a failed round left queued wait for the next round, like everything else.
      if (stopped || woken) continue;
      sleeper = new AbortController();
      await clock.sleep(Math.max(0, started + policy.intervalMs - clock.now()), sleeper.signal);
    }
    for (const item of queue.splice(0)) {
      item.resolve({
        status: 'rejected',
        command: item.command,
        reason: 'stopped',
        message: 'failover loop stopped',
      });
    }
  })();

  const command = (kind: FailoverCommand['kind'], region: string): Promise<CommandResult> =>
    new Promise((resolve) => {
      const given: FailoverCommand = { kind, region, at: clock.now() };
      if (stopped) {
        resolve({ status: 'rejected', command: given, reason: 'stopped', message: 'failover loop stopped' });
        return;
      }
      queue.push({ command: given, resolve });
      woken = true;
      sleeper?.abort();
    });

  return {
    failOver: (region) => command('fail_over', region),
    restore: (region) => command('restore', region),
    state: () => state,
    stop: async () => {
      stopped = true;
      sleeper?.abort();
      await done;
    },
  };
}
