/**
 * A service in one environment on the memory platform: a real Router on a loopback port in front
 * of in-process instances, with the agent's rules for scaling, traffic, readiness and status.
 */
import { checkTraffic } from '../../src/platform/check-traffic.js';
import { PlatformError } from '../../src/platform/errors.js';
import type { ReadyResult, ServiceRef, ServiceStatus, TrafficSpec } from '../../src/platform/platform.js';
import type { RouterMetricsSnapshot } from '../../src/platform/traffic-metrics.js';
import { isRouterError } from '../../src/router/errors.js';
import type { RouteTable } from '../../src/router/route-table.js';
import { Router } from '../../src/router/router.js';
import type { AppFactory } from './memory-app.js';
import { CRASH_LOOP_STARTS, MemoryInstance } from './memory-instance.js';
import type { MemoryRevision } from './memory-revisions.js';

/** What a unit shares with its platform. */
export interface UnitContext {
  readonly app: AppFactory;
  readonly env: Readonly<Record<string, string>>;
  readonly now: () => number;
}

interface UnitRevision {
  readonly revision: MemoryRevision;
  desired: number;
  weight: number;
}

/** One service in one environment. */
export class MemoryUnit {
  readonly instances = new Map<string, MemoryInstance>();
  #router: Router | undefined;
  #port: number | undefined;
  #error: string | undefined;
  #revisions = new Map<string, UnitRevision>();
  #roles: { stable?: string; canary?: string } = {};
  #sticky = false;
  #counter = 0;

  constructor(
    readonly ref: ServiceRef,
    private readonly ctx: UnitContext,
  ) {}

  /** The port its router listens on, when it does. */
  get listeningPort(): number | undefined {
    return this.#router ? this.#port : undefined;
  }

  /** Opens the router on `port` (0 picks one) unless it is open; a taken port is reported in status. */
  async open(port: number | undefined): Promise<void> {
    if (this.#router && (port === undefined || port === this.#port)) return;
    await this.#router?.close();
    this.#router = undefined;
    const router = new Router({ port: port ?? 0, holdTimeoutMs: 10_000 });
    try {
      this.#port = await router.listen();
      this.#router = router;
      this.#error = undefined;
      this.#pushTable();
    } catch (error) {
      this.#error = isRouterError(error, 'port_in_use')
        ? `port ${port} is already in use`
        : `cannot listen on port ${port}: ${(error as Error).message}`;
    }
  }

  /** Sets how many instances of a revision run: starts missing ones, drains surplus ones. */
  scale(revision: MemoryRevision, count: number): void {
    if (!Number.isInteger(count) || count < 0 || count > 1000) {
      throw new PlatformError('BAD_REQUEST', `instances must be an integer from 0 to 1000, got ${count}`);
    }
    const entry = this.#revisions.get(revision.id) ?? { revision, desired: 0, weight: 0 };
    this.#revisions.set(revision.id, entry);
    entry.desired = count;
    this.#reconcile();
  }

  /** Shifts traffic in one route-table update. */
  setTraffic(spec: TrafficSpec): void {
    checkTraffic(this.ref, spec, (id) => this.#revisions.has(id));
    for (const [id, entry] of this.#revisions) entry.weight = spec.weights[id] ?? 0;
    if (spec.roles) this.#roles = { ...spec.roles };
    if (spec.sticky !== undefined) this.#sticky = spec.sticky;
    this.#pushTable();
  }

  /** Resolves when `count` instances of `revision` are ready, one crash-loops, or the clock passes the deadline. */
  async waitReady(revision: string, count: number, timeoutMs: number): Promise<ReadyResult> {
    const deadline = this.ctx.now() + timeoutMs;
    for (;;) {
      const mine = [...this.instances.values()].filter((i) => i.revision === revision && i.active);
      await Promise.all(mine.map((i) => i.started));
      const ready = mine.filter((i) => i.ready).length;
      if (ready >= count) return { status: 'ready', ready };
      const failing = mine.find((i) => i.failures >= CRASH_LOOP_STARTS);
      if (failing) {
        return {
          status: 'failed',
          ready,
          message: `instance ${failing.id} keeps failing: ${failing.message}`,
        };
      }
      if (this.ctx.now() >= deadline) {
        const why = mine.find((i) => !i.ready && i.message)?.message ?? 'not ready yet';
        return { status: 'timeout', ready, message: `${ready}/${count} ready after ${timeoutMs} ms: ${why}` };
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** The unit as the platform contract shows it; `url` replaces the router's own address when given. */
  status(url?: string): ServiceStatus {
    const instances = [...this.instances.values()];
    const address = this.#router && this.#port ? `http://127.0.0.1:${this.#port}` : undefined;
    const shown = address && (url ?? address);
    return {
      service: this.ref.service,
      env: this.ref.env,
      ...(shown ? { url: shown } : {}),
      ...(this.#error ? { error: this.#error } : {}),
      sticky: this.#sticky,
      revisions: [...this.#revisions.values()].map(({ revision, desired, weight }) => {
        const role = this.#roleOf(revision.id);
        const ready = instances.filter((i) => i.revision === revision.id && i.ready).length;
        return { id: revision.id, desired, ready, weight, ...(role ? { role } : {}) };
      }),
      instances: instances.map((i) => i.status()),
    };
  }

  /** Cumulative router metrics per revision (empty while the router is not open). */
  metrics(): RouterMetricsSnapshot {
    return this.#router ? this.#router.metrics() : { at: this.ctx.now(), revisions: {} };
  }

  /** The newest revision taking part (its dependencies are the ones health checks). */
  latestRevision(): MemoryRevision | undefined {
    return [...this.#revisions.values()].at(-1)?.revision;
  }

  /** Drains and stops every instance, then closes the router. */
  async remove(): Promise<void> {
    for (const entry of this.#revisions.values()) entry.desired = 0;
    await Promise.all([...this.instances.values()].map((i) => this.#stop(i)));
    this.#revisions.clear();
    await this.close();
  }

  /** Cuts every instance and closes the router, without draining. */
  async close(): Promise<void> {
    // A stop still draining would otherwise start replacements once it ends.
    for (const entry of this.#revisions.values()) entry.desired = 0;
    await Promise.all([...this.instances.values()].map((i) => i.kill()));
    this.instances.clear();
    const router = this.#router;
    this.#router = undefined;
    await router?.close();
  }

  #reconcile(): void {
    for (const [id, entry] of this.#revisions) {
      const active = [...this.instances.values()].filter((i) => i.revision === id && i.active);
      for (let n = active.length; n < entry.desired; n++) {
        this.#counter += 1;
        const instance = new MemoryInstance({
          id: `${id}-${this.#counter}`,
          revision: id,
          service: entry.revision.config,
          sourceDir: entry.revision.sourceDir,
          app: this.ctx.app,
          env: this.ctx.env,
          now: this.ctx.now,
          changed: () => this.#pushTable(),
        });
        this.instances.set(instance.id, instance);
      }
      if (active.length > entry.desired) {
        // Not-ready instances go first, then the newest (as on the agent).
        const victims = active
          .sort(
            (a, b) => Number(a.ready) - Number(b.ready) || b.id.localeCompare(a.id, 'en', { numeric: true }),
          )
          .slice(0, active.length - entry.desired);
        for (const victim of victims) void this.#stop(victim);
      }
      const left = [...this.instances.values()].some((i) => i.revision === id);
      if (entry.desired === 0 && entry.weight === 0 && !left) this.#revisions.delete(id);
    }
  }

  async #stop(instance: MemoryInstance): Promise<void> {
    if (!instance.active) return;
    const router = this.#router;
    await instance.stop((drainMs) =>
      router ? router.waitIdle(instance.id, drainMs) : Promise.resolve(true),
    );
    this.instances.delete(instance.id);
    this.#reconcile();
  }

  #roleOf(id: string): 'stable' | 'canary' | undefined {
    if (this.#roles.stable === id) return 'stable';
    if (this.#roles.canary === id) return 'canary';
    return undefined;
  }

  /** Publishes the routes: weights per revision and the listening, non-draining instances of each. */
  #pushTable(): void {
    if (!this.#router) return;
    const instances = [...this.instances.values()];
    const table: RouteTable = {
      sticky: this.#sticky,
      revisions: [...this.#revisions.values()].map(({ revision, weight }) => {
        const role = this.#roleOf(revision.id);
        return {
          id: revision.id,
          ...(role ? { role } : {}),
          weight,
          instances: instances
            .filter((i) => i.revision === revision.id && i.active && i.port > 0)
            .map((i) => ({ id: i.id, host: '127.0.0.1', port: i.port, ready: i.ready })),
        };
      }),
    };
    this.#router.setTable(table);
  }
}
