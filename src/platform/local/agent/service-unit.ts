/**
 * A service in one environment on this host: its public port (held by the supervisor, served by
 * the router process), its revisions with desired instance counts and traffic weights, and the
 * instances that make them up. Every change of readiness, weights or instances becomes one
 * atomic route-table update.
 */
import { join } from 'node:path';
import type { RouteTable } from '../../../router/route-table.js';
import { checkTraffic } from '../../check-traffic.js';
import { PlatformError } from '../../errors.js';
import type { ReadyResult, ServiceStatus, TrafficSpec } from '../../platform.js';
import type { RouterMetricsSnapshot } from '../../traffic-metrics.js';
import { type RevisionManifest, readManifest, revisionDir } from '../revisions.js';
import { Instance, type SavedInstance } from './instance.js';
import type { RouterLink } from './router-link.js';

/** A revision taking part in a unit. */
interface UnitRevision {
  readonly manifest: RevisionManifest;
  desired: number;
  weight: number;
}

/** How a unit is recorded in the agent's state file. */
export interface SavedUnit {
  readonly service: string;
  readonly env: string;
  readonly requestedPort?: number;
  readonly port?: number;
  readonly sticky: boolean;
  readonly roles: { readonly stable?: string; readonly canary?: string };
  readonly counter: number;
  readonly revisions: readonly { readonly id: string; readonly desired: number; readonly weight: number }[];
  readonly instances: readonly SavedInstance[];
}

/** What a unit needs from the agent. */
export interface UnitContext {
  readonly stateDir: string;
  readonly logsDir: string;
  readonly env: Readonly<Record<string, string>>;
  /** Called after any change worth persisting. */
  readonly save: () => void;
  /** The secret values a revision's instances start with, when this agent holds them. */
  readonly secrets: (service: string, revision: string) => Readonly<Record<string, string>> | undefined;
  readonly now: () => number;
  /** The unit's port and router, through the supervisor. */
  readonly router: RouterLink;
  /** The address the supervisor binds public ports on, as URLs show it (default 127.0.0.1). */
  readonly listen?: string;
}

/** One service in one environment. */
export class ServiceUnit {
  private listening = false;
  private port: number | undefined;
  private error: string | undefined;
  private readonly revisions = new Map<string, UnitRevision>();
  readonly instances = new Map<string, Instance>();
  private roles: { stable?: string; canary?: string } = {};
  private sticky = false;
  private counter = 0;
  private opening: Promise<void> | undefined;
  private lastOpenAttempt = 0;

  constructor(
    readonly service: string,
    readonly env: string,
    private requestedPort: number | undefined,
    private readonly ctx: UnitContext,
  ) {}

  /** Rebuilds a unit from the state file, adopting the instances that still run. */
  static restore(saved: SavedUnit, ctx: UnitContext): ServiceUnit {
    const unit = new ServiceUnit(saved.service, saved.env, saved.requestedPort, ctx);
    unit.port = saved.port;
    unit.sticky = saved.sticky;
    unit.roles = { ...saved.roles };
    unit.counter = saved.counter;
    for (const entry of saved.revisions) {
      const manifest = readManifest(ctx.stateDir, saved.service, entry.id);
      if (manifest) unit.revisions.set(entry.id, { manifest, desired: entry.desired, weight: entry.weight });
    }
    for (const savedInstance of saved.instances) {
      const entry = unit.revisions.get(savedInstance.revision);
      if (!entry) continue;
      const instance = unit.newInstance(savedInstance.id, entry.manifest);
      if (instance.adopt(savedInstance)) unit.instances.set(instance.id, instance);
    }
    return unit;
  }

  /** Opens the public port (again) if it is not open; a taken port is reported in status. */
  open(requestedPort?: number): Promise<void> {
    if (requestedPort !== undefined && requestedPort !== this.requestedPort) {
      this.requestedPort = requestedPort;
      this.port = undefined;
      this.listening = false;
    }
    if (this.listening) return Promise.resolve();
    this.opening ??= this.listen().finally(() => {
      this.opening = undefined;
    });
    return this.opening;
  }

  private async listen(): Promise<void> {
    this.lastOpenAttempt = this.ctx.now();
    const port = this.requestedPort ?? this.port ?? 0;
    try {
      // A port the supervisor still holds for this unit (after an agent restart) is kept as it is.
      this.port = await this.ctx.router.listen(this.key, port);
      this.listening = true;
      this.error = undefined;
      this.pushTable();
      this.ctx.save();
    } catch (error) {
      this.error =
        error instanceof PlatformError && error.code === 'PORT_IN_USE'
          ? error.message
          : `cannot listen on port ${port}: ${(error as Error).message}`;
    }
  }

  /** Names the unit to the supervisor and the router process. */
  get key(): string {
    return JSON.stringify([this.service, this.env]);
  }

  /** The public port it listens on, when it does. */
  get listeningPort(): number | undefined {
    return this.listening ? this.port : undefined;
  }

  /** Sets how many instances of a revision should run. */
  scale(revision: string, count: number): void {
    if (!Number.isInteger(count) || count < 0 || count > 1000) {
      throw new PlatformError('BAD_REQUEST', `instances must be an integer from 0 to 1000, got ${count}`);
    }
    let entry = this.revisions.get(revision);
    if (!entry) {
      const manifest = readManifest(this.ctx.stateDir, this.service, revision);
      if (!manifest) {
        throw new PlatformError('REVISION_NOT_FOUND', `service ${this.service} has no revision ${revision}`);
      }
      entry = { manifest, desired: 0, weight: 0 };
      this.revisions.set(revision, entry);
    }
    entry.desired = count;
    this.reconcile();
    this.ctx.save();
  }

  /** Shifts traffic in one route-table update. */
  setTraffic(spec: TrafficSpec): void {
    checkTraffic(this, spec, (id) => this.revisions.has(id));
    for (const [id, entry] of this.revisions) entry.weight = spec.weights[id] ?? 0;
    if (spec.roles) this.roles = { ...spec.roles };
    if (spec.sticky !== undefined) this.sticky = spec.sticky;
    this.pushTable();
    this.ctx.save();
  }

  /** Starts missing instances and drains surplus ones, then forgets revisions with nothing left. */
  reconcile(): void {
    for (const [id, entry] of this.revisions) {
      const active = [...this.instances.values()].filter((i) => i.revision === id && i.active);
      for (let n = active.length; n < entry.desired; n++) {
        this.counter += 1;
        const instance = this.newInstance(`${id}-${this.counter}`, entry.manifest);
        this.instances.set(instance.id, instance);
        void instance.start();
      }
      if (active.length > entry.desired) {
        // Not-ready instances go first, then the newest.
        const victims = active
          .sort(
            (a, b) => Number(a.ready) - Number(b.ready) || b.id.localeCompare(a.id, 'en', { numeric: true }),
          )
          .slice(0, active.length - entry.desired);
        for (const victim of victims) void this.stopInstance(victim);
      }
      const left = [...this.instances.values()].some((i) => i.revision === id);
      if (entry.desired === 0 && entry.weight === 0 && !left) this.revisions.delete(id);
    }
  }

  /** Advances instances (exits, restarts, probes) and retries a port that was taken. */
  tick(now: number): void {
    for (const instance of this.instances.values()) instance.tick(now);
    if (!this.listening && !this.opening && now - this.lastOpenAttempt >= 2000) void this.open();
  }

  /** Resolves when `count` instances of `revision` are ready, one crash-loops, or time runs out. */
  async waitReady(revision: string, count: number, timeoutMs: number): Promise<ReadyResult> {
    const deadline = this.ctx.now() + timeoutMs;
    for (;;) {
      const mine = [...this.instances.values()].filter((i) => i.revision === revision && i.active);
      const ready = mine.filter((i) => i.ready).length;
      if (ready >= count) return { status: 'ready', ready };
      const failing = mine.find((i) => i.consecutiveFailures >= 3);
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
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  /** The unit as the platform contract shows it. */
  status(): ServiceStatus {
    return {
      service: this.service,
      env: this.env,
      ...(this.listening && this.port ? { url: `http://${urlHost(this.ctx.listen)}:${this.port}` } : {}),
      ...(this.error ? { error: this.error } : {}),
      sticky: this.sticky,
      revisions: [...this.revisions.values()].map((entry) => ({
        id: entry.manifest.id,
        desired: entry.desired,
        ready: [...this.instances.values()].filter((i) => i.revision === entry.manifest.id && i.ready).length,
        weight: entry.weight,
        ...(this.roleOf(entry.manifest.id) ? { role: this.roleOf(entry.manifest.id) } : {}),
      })),
      instances: [...this.instances.values()].map((i) => i.status()),
    };
  }

  /** Cumulative router metrics per revision. */
  metrics(): Promise<RouterMetricsSnapshot> {
    if (!this.listening) return Promise.resolve({ at: this.ctx.now(), revisions: {} });
    return this.ctx.router.metrics(this.key);
  }

  /** The revision manifests this unit runs (for health checks of dependencies). */
  manifests(): RevisionManifest[] {
    return [...this.revisions.values()].map((entry) => entry.manifest);
  }

  /** Drains and stops every instance, then closes the port and its router. */
  async remove(): Promise<void> {
    for (const entry of this.revisions.values()) {
      entry.desired = 0;
    }
    await Promise.all([...this.instances.values()].map((instance) => this.stopInstance(instance)));
    for (const entry of this.revisions.values()) entry.weight = 0;
    this.revisions.clear();
    if (this.listening) {
      this.listening = false;
      await this.ctx.router.close(this.key);
    }
  }

  /** The record kept in the state file. */
  save(): SavedUnit {
    return {
      service: this.service,
      env: this.env,
      ...(this.requestedPort !== undefined ? { requestedPort: this.requestedPort } : {}),
      ...(this.port !== undefined ? { port: this.port } : {}),
      sticky: this.sticky,
      roles: this.roles,
      counter: this.counter,
      revisions: [...this.revisions.values()].map((e) => ({
        id: e.manifest.id,
        desired: e.desired,
        weight: e.weight,
      })),
      instances: [...this.instances.values()].filter((i) => i.phase !== 'stopped').map((i) => i.save()),
    };
  }

  private roleOf(id: string): 'stable' | 'canary' | undefined {
    if (this.roles.stable === id) return 'stable';
    if (this.roles.canary === id) return 'canary';
    return undefined;
  }

  private async stopInstance(instance: Instance): Promise<void> {
    if (!instance.active) return;
    const { drainMs, timeoutMs } = instance.shutdown;
    await instance.stop(
      () =>
        this.listening
          ? // Without a supervisor no port serves the instance any more: nothing is left to drain.
            this.ctx.router.waitIdle(this.key, instance.id, drainMs).catch(() => false)
          : Promise.resolve(true),
      timeoutMs,
    );
    this.instances.delete(instance.id);
    this.reconcile();
    this.ctx.save();
  }

  private newInstance(id: string, manifest: RevisionManifest): Instance {
    const ctx = this.ctx;
    return new Instance(id, manifest.id, {
      manifest,
      cwd: join(revisionDir(this.ctx.stateDir, this.service, manifest.id), 'source'),
      logFile: join(this.ctx.logsDir, this.service, this.env, `${id}.log`),
      // The agent's environment as it is when the instance (re)starts (flags served or not).
      get env() {
        return ctx.env;
      },
      secrets: () => ctx.secrets(this.service, manifest.id),
      changed: () => {
        this.pushTable();
        this.ctx.save();
      },
      now: this.ctx.now,
    });
  }

  /** Publishes the routes: weights per revision and the ready, non-draining instances of each. */
  private pushTable(): void {
    if (!this.listening) return;
    const table: RouteTable = {
      sticky: this.sticky,
      revisions: [...this.revisions.values()].map((entry) => {
        const role = this.roleOf(entry.manifest.id);
        return {
          id: entry.manifest.id,
          ...(role ? { role } : {}),
          weight: entry.weight,
          instances: [...this.instances.values()]
            .filter((i) => i.revision === entry.manifest.id && i.active && i.port > 0)
            .map((i) => ({ id: i.id, host: '127.0.0.1', port: i.port, ready: i.ready })),
        };
      }),
    };
    this.ctx.router.setTable(this.key, table);
  }
}

/** The host part of a URL for a listen address (IPv6 in brackets). */
function urlHost(listen: string | undefined): string {
  if (listen === undefined) return '127.0.0.1';
  return listen.includes(':') ? `[${listen}]` : listen;
}
