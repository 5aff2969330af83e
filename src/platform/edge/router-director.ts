// Slipway's own router as a traffic director (the default): each region is a revision of the
// router's route table and each upstream one of its instances, so the router's weighted pick splits
// the traffic, its atomic table swap changes weights without touching requests in flight, and its
// per-revision metrics are the per-region counters.
import type { RevisionMetrics, RouterMetricsSnapshot } from '../../platform/traffic-metrics.js';
import { RouterError } from '../../router/errors.js';
import { diffSnapshots } from '../../router/metrics.js';
import type { RouteRevision, RouteTable } from '../../router/route-table.js';
import { Router } from '../../router/router.js';
import {
  type DirectorStatus,
  type RegionBackend,
  type RegionCounters,
  type RegionState,
  type TrafficDirector,
  TrafficDirectorError,
} from '../traffic-director.js';
import { EMPTY_MODEL, type RegionModel, withBackends, withState, withWeights } from './region-model.js';

/** Where the entry point listens. */
export interface RouterDirectorOptions {
  /** Interface to bind; default 127.0.0.1. */
  readonly host?: string;
  /** Port to bind; 0 (the default) picks a free one, reported by status(). */
  readonly port?: number;
  /** How long a request waits while no region takes traffic before 503; default 2 s. */
  readonly holdTimeoutMs?: number;
  /** Upstream idle time before 504; default 60 s. */
  readonly upstreamTimeoutMs?: number;
}

/** The route table that applies `model`: drained regions keep their instances but get no weight. */
export function routeTableOf(model: RegionModel): RouteTable {
  const revisions = model.regions.map(
    (region): RouteRevision => ({
      id: region.name,
      weight: region.state === 'ready' ? region.weight : 0,
      instances: region.upstreams.map((upstream) => ({
        id: `${region.name}@${upstream.address}`,
        host: upstream.host,
        port: upstream.port,
        ready: region.state !== 'down',
      })),
    }),
  );
  return { revisions, sticky: false };
}

function countersOf(metrics: RevisionMetrics | undefined): RegionCounters {
  return {
    requests: metrics?.requests ?? 0,
    serverErrors: metrics?.status5xx ?? 0,
    connectionErrors: metrics?.connectionErrors ?? 0,
  };
}

/** Starts a router listening on the entry point; it serves 503 until regions and weights are set. */
export async function startRouterDirector(options: RouterDirectorOptions = {}): Promise<TrafficDirector> {
  const host = options.host ?? '127.0.0.1';
  let router: Router;
  try {
    router = new Router({
      host,
      port: options.port ?? 0,
      holdTimeoutMs: options.holdTimeoutMs ?? 2000,
      ...(options.upstreamTimeoutMs === undefined ? {} : { upstreamTimeoutMs: options.upstreamTimeoutMs }),
    });
  } catch (error) {
    throw new TrafficDirectorError('invalid_options', (error as Error).message, { cause: error });
  }
  let port: number;
  try {
    port = await router.listen();
  } catch (error) {
    await router.close();
    const inUse = error instanceof RouterError && error.code === 'port_in_use';
    throw new TrafficDirectorError(inUse ? 'port_in_use' : 'start_failed', (error as Error).message, {
      cause: error,
    });
  }
  return new RouterDirector(router, { host, port });
}

class RouterDirector implements TrafficDirector {
  readonly kind = 'router';
  readonly #router: Router;
  readonly #entryPoint: { readonly host: string; readonly port: number };
  #model: RegionModel = EMPTY_MODEL;
  /** Metrics when the backends were last set: counters count from there. */
  #base: RouterMetricsSnapshot = { at: 0, revisions: {} };
  #closed = false;

  constructor(router: Router, entryPoint: { readonly host: string; readonly port: number }) {
    this.#router = router;
    this.#entryPoint = entryPoint;
  }

  async setBackends(regions: readonly RegionBackend[]): Promise<void> {
    this.#apply(withBackends(this.#checkOpen(), regions));
    this.#base = this.#router.metrics();
  }

  async setWeights(weights: Readonly<Record<string, number>>): Promise<void> {
    this.#apply(withWeights(this.#checkOpen(), weights));
  }

  async setRegionState(region: string, state: RegionState): Promise<void> {
    this.#apply(withState(this.#checkOpen(), region, state));
  }

  async status(): Promise<DirectorStatus> {
    const model = this.#checkOpen();
    const counted = diffSnapshots(this.#router.metrics(), this.#base).revisions;
    return {
      entryPoint: this.#entryPoint,
      regions: model.regions.map((region) => ({
        name: region.name,
        upstreams: region.upstreams.map((upstream) => upstream.address),
        weight: region.weight,
        state: region.state,
        counters: countersOf(Object.hasOwn(counted, region.name) ? counted[region.name] : undefined),
      })),
    };
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#router.close();
  }

  #checkOpen(): RegionModel {
    if (this.#closed) throw new TrafficDirectorError('closed', 'the traffic director is closed');
    return this.#model;
  }

  #apply(model: RegionModel): void {
    try {
      this.#router.setTable(routeTableOf(model));
    } catch (error) {
      // The model was checked already; a table the router still refuses is a bug here.
      throw new TrafficDirectorError('command_failed', (error as Error).message, { cause: error });
    }
    this.#model = model;
  }
}
