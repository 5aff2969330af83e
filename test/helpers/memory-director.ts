// An in-memory TrafficDirector for unit tests: it checks every call with the same region model the
// real directors use (so it rejects what they reject), keeps per-region counters, and routes
// simulated traffic by the weights and states it was given; a test can make any operation fail.
import {
  EMPTY_MODEL,
  type RegionModel,
  withBackends,
  withState,
  withWeights,
} from '../../src/platform/edge/region-model.js';
import {
  type DirectorStatus,
  type RegionBackend,
  type RegionCounters,
  type RegionState,
  type TrafficDirector,
  TrafficDirectorError,
} from '../../src/platform/traffic-director.js';

/** The operations a test can make fail. */
export type DirectorOperation = 'setBackends' | 'setWeights' | 'setRegionState' | 'status';

/** One call the director took, accepted or not. */
export interface DirectorCall {
  readonly operation: DirectorOperation;
  readonly args: readonly unknown[];
  readonly ok: boolean;
}

/** A TrafficDirector held in memory, with the handles a test drives it by. */
export interface MemoryDirector extends TrafficDirector {
  /** Every mutating call, in order (status reads left out). */
  readonly calls: DirectorCall[];
  /** The next `times` calls of `operation` reject with `director_unavailable`. */
  failNext(operation: DirectorOperation, times?: number): void;
  /**
   * Routes `requests` requests as the director would: split between the `ready` regions by weight
   * (largest remainder, so the split is exact and repeatable); a region fails `errorRate(region)`
   * of what it gets (rounded up) as server errors.
   */
  serve(requests: number, errorRate?: (region: string) => number): Record<string, number>;
  /** The weights as set, every region listed. */
  weights(): Record<string, number>;
  /** Each region's state. */
  states(): Record<string, RegionState>;
}

const ZERO: RegionCounters = { requests: 0, serverErrors: 0, connectionErrors: 0 };

/** A director with `regions` set as backends (one upstream each), every weight 0 until set. */
export function createMemoryDirector(regions: readonly string[] = []): MemoryDirector {
  let model: RegionModel = withBackends(
    EMPTY_MODEL,
    regions.map((name, i) => ({ name, upstreams: [`127.0.0.1:${10_000 + i}`] })),
  );
  let counters = new Map<string, RegionCounters>(regions.map((name) => [name, ZERO]));
  let closed = false;
  const failures = new Map<DirectorOperation, number>();
  const calls: DirectorCall[] = [];

  const guard = (operation: DirectorOperation, args: readonly unknown[]): void => {
    const left = failures.get(operation) ?? 0;
    if (closed || left > 0) {
      if (left > 0) failures.set(operation, left - 1);
      if (operation !== 'status') calls.push({ operation, args, ok: false });
      if (closed) throw new TrafficDirectorError('closed', 'the director is closed');
      throw new TrafficDirectorError('director_unavailable', `${operation} failed (injected)`);
    }
  };
  const mutate = (
    operation: DirectorOperation,
    args: readonly unknown[],
    change: () => RegionModel,
  ): void => {
    guard(operation, args);
    try {
      model = change();
    } catch (error) {
      calls.push({ operation, args, ok: false });
      throw error;
    }
    calls.push({ operation, args, ok: true });
  };

  return {
    kind: 'memory',
    calls,
    async setBackends(backends: readonly RegionBackend[]) {
      mutate('setBackends', [backends], () => withBackends(model, backends));
      counters = new Map(model.regions.map((region) => [region.name, ZERO]));
    },
    async setWeights(weights) {
      mutate('setWeights', [{ ...weights }], () => withWeights(model, weights));
    },
    async setRegionState(region, state) {
      mutate('setRegionState', [region, state], () => withState(model, region, state));
    },
    async status(): Promise<DirectorStatus> {
      guard('status', []);
      return {
        entryPoint: { host: '127.0.0.1', port: 8080 },
        regions: model.regions.map((region) => ({
          name: region.name,
          upstreams: region.upstreams.map((upstream) => upstream.address),
          weight: region.weight,
          state: region.state,
          counters: counters.get(region.name) ?? ZERO,
        })),
      };
    },
    async close() {
      closed = true;
    },
    failNext(operation, times = 1) {
      failures.set(operation, (failures.get(operation) ?? 0) + times);
    },
    serve(requests, errorRate = () => 0) {
      const open = model.regions.filter((region) => region.state === 'ready' && region.weight > 0);
      const total = open.reduce((sum, region) => sum + region.weight, 0);
      const split: Record<string, number> = {};
      if (total === 0) return split;
      let given = 0;
      const rest = open.map((region, index) => {
        const exact = (requests * region.weight) / total;
        split[region.name] = Math.floor(exact);
        given += Math.floor(exact);
        return { name: region.name, index, remainder: exact - Math.floor(exact) };
      });
      rest.sort((a, b) => b.remainder - a.remainder || a.index - b.index);
      for (const r of rest.slice(0, requests - given)) split[r.name] = (split[r.name] ?? 0) + 1;
      for (const [name, count] of Object.entries(split)) {
        const before = counters.get(name) ?? ZERO;
        counters.set(name, {
          requests: before.requests + count,
          serverErrors: before.serverErrors + Math.ceil(count * errorRate(name)),
          connectionErrors: before.connectionErrors,
        });
      }
      return split;
    },
    weights: () => Object.fromEntries(model.regions.map((region) => [region.name, region.weight])),
    states: () => Object.fromEntries(model.regions.map((region) => [region.name, region.state])),
  };
}
