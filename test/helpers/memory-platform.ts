/**
 * A Platform that runs in the test process: revisions hashed in memory, each instance the fixture
 * app (or another AppFactory) on an in-process HTTP server, each service behind a real Router. It
 * passes the Platform contract suite (test/platform/memory-platform.test.ts), and lets a test set
 * the traffic metrics a revision reports.
 */

import { PlatformError } from '../../src/platform/errors.js';
import { checkDependency } from '../../src/platform/health/check-dependency.js';
import type {
  EndpointSpec,
  HealthReport,
  Platform,
  ReadyResult,
  Revision,
  RevisionInput,
  ServiceRef,
  ServiceStatus,
  StoredRevision,
  TrafficSpec,
} from '../../src/platform/platform.js';
import type { RevisionMetrics, RouterMetricsSnapshot } from '../../src/platform/traffic-metrics.js';
import { copyRevisionMetrics, createRevisionMetrics } from '../../src/router/metrics.js';
import type { Clock } from '../../src/store/store.js';
import { type AppFactory, fixtureApp } from './memory-app.js';
import { contractRevision, MemoryRevisions } from './memory-revisions.js';
import { MemoryUnit } from './memory-unit.js';

/** How a memory platform is set up; every field is optional. */
export interface MemoryPlatformOptions {
  /**
   * Time for revision dates, metrics snapshots, probe schedules and waitReady deadlines (the
   * sockets and probe timeouts themselves stay real). Default: the system clock.
   */
  readonly clock?: Clock;
  /** What each instance runs; default the fixture app's behaviour, chosen by the service's env. */
  readonly app?: AppFactory;
  /** The URL status reports for a service (e.g. a made-up host); default the router's own address. */
  readonly publicUrl?: (ref: ServiceRef) => string;
  /** Environment instances and dependency checks see beneath each service's own env. */
  readonly env?: Readonly<Record<string, string>>;
}

/** Counters a test sets for a revision; what is left out is zero. */
export type MetricsInput = Partial<RevisionMetrics>;

/** An in-process Platform for tests; `close` stops everything it runs. */
export class MemoryPlatform implements Platform {
  readonly #units = new Map<string, MemoryUnit>();
  readonly #revisions: MemoryRevisions;
  readonly #metrics = new Map<string, Map<string, RevisionMetrics>>();
  readonly #now: () => number;
  readonly #app: AppFactory;
  readonly #env: Readonly<Record<string, string>>;

  constructor(private readonly options: MemoryPlatformOptions = {}) {
    const clock = options.clock ?? { now: () => Date.now() };
    this.#now = () => clock.now();
    this.#app = options.app ?? fixtureApp;
    this.#env = options.env ?? {};
    this.#revisions = new MemoryRevisions(this.#now);
  }

  /**
   * From now on `metrics(ref)` reports these cumulative counters for `revision` instead of what
   * its router measured; call again with larger numbers to simulate traffic over time.
   */
  setMetrics(ref: ServiceRef, revision: string, metrics: MetricsInput): void {
    const set = this.#metrics.get(key(ref)) ?? new Map<string, RevisionMetrics>();
    this.#metrics.set(key(ref), set);
    set.set(revision, { ...createRevisionMetrics(), ...metrics });
  }

  /** The address the service's router listens on, whatever `publicUrl` reports (undefined while closed). */
  routerUrl(ref: ServiceRef): string | undefined {
    return this.#units.get(key(ref))?.status().url;
  }

  /** Cuts every instance and closes every router (no draining). */
  async close(): Promise<void> {
    const units = [...this.#units.values()];
    this.#units.clear();
    await Promise.all(units.map((unit) => unit.close()));
  }

  async createRevision(input: RevisionInput): Promise<Revision> {
    return contractRevision(this.#revisions.create(input));
  }

  async findRevision(service: string, id: string): Promise<StoredRevision | undefined> {
    return this.#revisions.find(service, id);
  }

  async pinRevision(service: string, id: string, reason: string): Promise<void> {
    this.#revisions.pin(service, id, reason);
  }

  async ensureService(ref: ServiceRef, endpoint: EndpointSpec): Promise<ServiceStatus> {
    let unit = this.#units.get(key(ref));
    if (!unit) {
      const other = [...this.#units.values()].find(
        (u) => endpoint.port !== undefined && u.listeningPort === endpoint.port,
      );
      if (other) {
        throw new PlatformError(
          'PORT_IN_USE',
          `port ${endpoint.port} is already used by ${other.ref.service} in ${other.ref.env}`,
        );
      }
      unit = new MemoryUnit(ref, { app: this.#app, env: this.#env, now: this.#now });
      this.#units.set(key(ref), unit);
    }
    await unit.open(endpoint.port);
    return this.#statusOf(unit);
  }

  async scale(ref: ServiceRef, revision: string, instances: number): Promise<void> {
    const found = this.#revisions.get(ref.service, revision);
    if (!found) {
      throw new PlatformError('REVISION_NOT_FOUND', `service ${ref.service} has no revision ${revision}`);
    }
    this.#unit(ref).scale(found, instances);
  }

  async setTraffic(ref: ServiceRef, traffic: TrafficSpec): Promise<void> {
    this.#unit(ref).setTraffic(traffic);
  }

  waitReady(ref: ServiceRef, revision: string, count: number, timeoutMs: number): Promise<ReadyResult> {
    return this.#unit(ref).waitReady(revision, count, timeoutMs);
  }

  async status(ref: ServiceRef): Promise<ServiceStatus | undefined> {
    const unit = this.#units.get(key(ref));
    return unit && this.#statusOf(unit);
  }

  async list(): Promise<readonly ServiceStatus[]> {
    return [...this.#units.values()].map((unit) => this.#statusOf(unit));
  }

  async metrics(ref: ServiceRef): Promise<RouterMetricsSnapshot> {
    const measured = this.#unit(ref).metrics();
    const revisions = { ...measured.revisions };
    for (const [id, metrics] of this.#metrics.get(key(ref)) ?? [])
      revisions[id] = copyRevisionMetrics(metrics);
    return { at: this.#now(), revisions };
  }

  async health(ref: ServiceRef): Promise<HealthReport> {
    const unit = this.#unit(ref);
    const instances = [...unit.instances.values()].map((i) => ({ ...i.status(), probes: i.probes() }));
    const config = unit.latestRevision()?.config;
    const env = { ...this.#env, ...config?.env };
    const dependencies = await Promise.all(
      (config?.dependencies ?? []).map((dep) => checkDependency(dep, env)),
    );
    const healthy =
      instances.some((i) => i.ready) &&
      instances.every((i) => i.phase !== 'crash-loop') &&
      dependencies.every((d) => d.ok);
    return { service: ref.service, env: ref.env, healthy, instances, dependencies };
  }

  async remove(ref: ServiceRef): Promise<void> {
    const unit = this.#unit(ref);
    await unit.remove();
    this.#units.delete(key(ref));
    this.#metrics.delete(key(ref));
  }

  #unit(ref: ServiceRef): MemoryUnit {
    const unit = this.#units.get(key(ref));
    if (!unit) throw new PlatformError('SERVICE_NOT_FOUND', `${ref.service} is not deployed in ${ref.env}`);
    return unit;
  }

  #statusOf(unit: MemoryUnit): ServiceStatus {
    return unit.status(this.options.publicUrl?.(unit.ref));
  }
}

/** A memory platform; call `close()` when the test is done. */
export function createMemoryPlatform(options: MemoryPlatformOptions = {}): MemoryPlatform {
  return new MemoryPlatform(options);
}

function key(ref: ServiceRef): string {
  return `${ref.service}\u0000${ref.env}`;
}
