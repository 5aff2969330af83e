/**
 * The edge of one service in one environment: a traffic director in front of the regions of the
 * environment's fleet, started at the configured shares, with the failover loop acting on it (on
 * health with strategy `automatic`, on commands only with `manual`), every loop event written to
 * the project's event log as a `region.*` event, and the control API on the environment's socket.
 */
import { join } from 'node:path';
import type { ResolvedConfig } from '../../config/resolved.js';
import type { SlipwayError } from '../../errors/slipway-error.js';
import { startHaproxyDirector } from '../../platform/edge/haproxy-director.js';
import { startRouterDirector } from '../../platform/edge/router-director.js';
import type { EntryPoint, TrafficDirector } from '../../platform/traffic-director.js';
import type { Store, StoredEvent } from '../../store/store.js';
import type { RolloutClock } from '../rollout-clock.js';
import { edgeSocketPath } from './edge-client.js';
import {
  type AppliedSwitch,
  type EdgeControl,
  type EdgeControlServer,
  type EdgeStatus,
  type FailoverAnswer,
  serveEdgeControl,
} from './edge-control.js';
import { EdgeError } from './edge-errors.js';
import { regionEventOf } from './edge-events.js';
import { type EdgePlan, planEdge } from './edge-plan.js';
import { upstreamReadiness } from './edge-readiness.js';
import { type FailoverLoop, type RecordedFailoverEvent, startFailoverLoop } from './failover-loop.js';
import { failoverPolicy } from './failover-policy.js';
import type { FailoverCommand, FailoverPlan, FailoverPolicy } from './failover-types.js';

/** Which traffic director serves the entry point. */
export type DirectorKind = 'router' | 'haproxy';

/** The directors an edge can run. */
export const DIRECTOR_KINDS: readonly DirectorKind[] = ['router', 'haproxy'];

/** What an edge needs, all injected. */
export interface EdgeOptions {
  readonly config: ResolvedConfig;
  readonly projectDir: string;
  readonly service: string;
  readonly env: string;
  /** Default `router`. */
  readonly director?: DirectorKind;
  /** Interface of the entry point; default 127.0.0.1. */
  readonly host?: string;
  /** Port of the entry point; 0 (the default) takes a free one. */
  readonly port?: number;
  readonly store: Store;
  readonly clock: RolloutClock;
  /** Timings on top of the policy the config gives (hold, restore steps, interval). */
  readonly policy?: Partial<FailoverPolicy>;
  /** Told about every event once it is in the log. */
  readonly onEvent?: (event: StoredEvent) => void;
  /** Told about every failure the edge carries on after. */
  readonly onProblem?: (error: SlipwayError) => void;
  /** The haproxy program for director `haproxy`; default `haproxy` on PATH. */
  readonly haproxyCommand?: string;
}

/** A running edge. */
export interface RunningEdge {
  readonly plan: EdgePlan;
  readonly policy: FailoverPolicy;
  readonly entryPoint: EntryPoint;
  readonly socketPath: string;
  status(): Promise<EdgeStatus>;
  /** Gives the failover loop a command, as the control API does. */
  command(kind: FailoverCommand['kind'], region: string, actor?: string): Promise<FailoverAnswer>;
  /** Stops the loop, the control API (removing its socket) and the director; safe to call twice. */
  close(): Promise<void>;
}

/** A switch recorded in the log, kept to answer the command that caused it. */
interface KeptSwitch extends AppliedSwitch {
  readonly kind: RecordedFailoverEvent['kind'];
  readonly region: string;
  readonly since: number;
}

/** How long a readiness probe waits for a connection. */
const PROBE_TIMEOUT_MS = 1000;

function startDirector(options: EdgeOptions): Promise<TrafficDirector> {
  const where = { host: options.host ?? '127.0.0.1', port: options.port ?? 0 };
  if (options.director === 'haproxy') {
    return startHaproxyDirector({
      ...where,
      stateDir: join(options.projectDir, '.slipway', 'edge'),
      ...(options.haproxyCommand === undefined ? {} : { command: options.haproxyCommand }),
    });
  }
  return startRouterDirector(where);
}

/**
 * Starts the edge: control socket first (so a second edge of the environment is refused before it
 * takes a port), then the director at the configured shares, then the loop. Throws EdgeError for a
 * config that allows no edge and TrafficDirectorError for a director that will not start.
 */
export async function startEdge(options: EdgeOptions): Promise<RunningEdge> {
  const { store, clock, service, env } = options;
  const plan = planEdge(options.config, service, env);
  const policy = failoverPolicy(plan.failover, options.policy);
  const socketPath = edgeSocketPath(options.projectDir, env);
  const stops: (() => Promise<void>)[] = [];
  const close = async (): Promise<void> => {
    for (const stop of stops.splice(0).reverse()) {
      try {
        await stop();
      } catch (error) {
        options.onProblem?.(error as SlipwayError);
      }
    }
  };

  let loop: FailoverLoop | undefined;
  let director: TrafficDirector | undefined;
  let lastPlan: FailoverPlan | undefined;
  const switches: KeptSwitch[] = [];
  // Who gave the last command about each region: the actor of the manual events it causes.
  const actors = new Map<string, string>();
  // The weights the director has, and the change the current round made (for weights before/after).
  let applied: Readonly<Record<string, number>> = plan.weights;
  let change:
    | { before: Readonly<Record<string, number>>; after: Readonly<Record<string, number>> }
    | undefined;

  const status = async (): Promise<EdgeStatus> => {
    if (director === undefined || loop === undefined)
      throw new EdgeError('edge_failed', 'the edge is still starting');
    const now = await director.status();
    const state = loop.state();
    return {
      service,
      env,
      director: director.kind,
      strategy: policy.strategy,
      entryPoint: now.entryPoint,
      regions: plan.backends.map((backend) => {
        const seen = now.regions.find((region) => region.name === backend.name);
        return {
          name: backend.name,
          share: Math.round((plan.shares[backend.name] ?? 0) * 10_000) / 100,
          weight: seen?.weight ?? 0,
          state: seen?.state ?? 'down',
          phase: state.regions[backend.name]?.phase.status ?? 'in_service',
          health: lastPlan?.health[backend.name] ?? { basis: 'unknown' },
          upstreams: backend.upstreams,
        };
      }),
    };
  };

  const command = async (
    kind: FailoverCommand['kind'],
    region: string,
    actor?: string,
  ): Promise<FailoverAnswer> => {
    if (loop === undefined) throw new EdgeError('edge_failed', 'the edge is still starting');
    if (actor !== undefined) actors.set(region, actor);
    const result = kind === 'fail_over' ? await loop.failOver(region) : await loop.restore(region);
    if (result.status !== 'accepted' || kind !== 'fail_over') return result;
    // The loop records a switch before it answers; if the director refused the weights, the switch
    // comes with a later round, waited for within the switchover time.
    const deadline = clock.now() + policy.switchoverMs + policy.intervalMs;
    for (;;) {
      const kept = switches.find(
        (s) => s.kind === 'failed_over' && s.region === region && s.since === result.command.at,
      );
      if (kept !== undefined) {
        const { appliedAt, switchMs, weightsBefore, weightsAfter } = kept;
        return { ...result, switch: { appliedAt, switchMs, weightsBefore, weightsAfter } };
      }
      if (clock.now() >= deadline) return result;
      await clock.sleep(50);
    }
  };

  const record = async (event: RecordedFailoverEvent): Promise<void> => {
    const switched = 'appliedAt' in event;
    const before = switched && change !== undefined ? change.before : applied;
    const subject = 'region' in event ? event.region : undefined;
    const actor = subject === undefined ? undefined : actors.get(subject);
    const stored = await store.appendEvent(
      regionEventOf(event, { service, env, weightsBefore: before, ...(actor ? { actor } : {}) }),
    );
    if (switched) {
      switches.push({
        kind: event.kind,
        region: event.region,
        since: event.since,
        appliedAt: event.appliedAt,
        switchMs: event.switchMs,
        weightsBefore: before,
        weightsAfter: event.weights,
      });
      if (switches.length > 100) switches.shift();
    }
    options.onEvent?.(stored);
  };

  try {
    const control: EdgeControl = { status, command };
    const server: EdgeControlServer = await serveEdgeControl(socketPath, control);
    stops.push(() => server.close());
    const started = await startDirector(options);
    stops.push(() => started.close());
    await started.setBackends(plan.backends);
    await started.setWeights(plan.weights);
    // Every weight change goes through here, so an event knows the weights it moved from.
    director = {
      kind: started.kind,
      setBackends: (regions) => started.setBackends(regions),
      setRegionState: (region, state) => started.setRegionState(region, state),
      status: () => started.status(),
      close: () => started.close(),
      setWeights: async (weights) => {
        await started.setWeights(weights);
        change = { before: applied, after: weights };
        applied = weights;
      },
    };
    const entryPoint = (await started.status()).entryPoint;
    loop = startFailoverLoop({
      director,
      shares: plan.shares,
      policy,
      clock,
      readiness: upstreamReadiness(
        plan.backends,
        Math.min(PROBE_TIMEOUT_MS, Math.max(100, policy.intervalMs)),
      ),
      record,
      report: (error) => options.onProblem?.(error),
      onPlan: (next) => {
        lastPlan = next;
        change = undefined;
      },
    });
    const running = loop;
    stops.push(() => running.stop());
    return { plan, policy, entryPoint, socketPath, status, command, close };
  } catch (error) {
    await close();
    throw error;
  }
}
