/**
 * The agent: the controller process per host (per project state directory) that runs service
 * instances, probes them, and tells the router process where their traffic goes. Clients talk to
 * it over a unix socket. Instances run in sessions of their own and the supervisor keeps the ports
 * and the router, so an agent crash stops neither; the restarted agent re-adopts them from the
 * state file.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { FlagSnapshot } from '../../../flags/flag-engine.js';
import { slipwayVersion } from '../../../package/version.js';
import { processStartTime } from '../../../process/process-identity.js';
import { renderPrometheus } from '../../../router/prometheus.js';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from '../../../state-files/private-modes.js';
import { PlatformError } from '../../errors.js';
import type { FlagServing } from '../../flag-publisher.js';
import { checkDependency } from '../../health/check-dependency.js';
import type { HealthReport, ServiceRef, ServiceStatus } from '../../platform.js';
import { AgentFlags, type FlagsPublished, type FlagsStatus } from './agent-flags.js';
import { type AgentPaths, agentPaths } from './agent-paths.js';
import { readState, type SavedState, writeState } from './agent-state.js';
import { type AgentControl, type AgentInfo, handleControl } from './control-api.js';
import type { RouterLink } from './router-link.js';
import { ServiceUnit, type UnitContext } from './service-unit.js';

/** How often instances are checked for exits, restarts and due probes. */
const TICK_MS = 50;

/** Options of a running agent. */
export interface AgentOptions {
  readonly stateDir: string;
  /** The supervisor, which holds the ports and relays to the router process. */
  readonly router: RouterLink;
  /** Loopback port of the Prometheus endpoint (0 picks one). */
  readonly metricsPort?: number;
  /** The address the supervisor binds public ports on (reported in URLs); 127.0.0.1 when unset. */
  readonly listen?: string;
  readonly env?: Readonly<Record<string, string>>;
  readonly log?: (line: string) => void;
  readonly now?: () => number;
}

/** The agent process's core: units, control socket, metrics endpoint, OFREP flags, tick loop. */
export class AgentDaemon implements AgentControl {
  readonly paths: AgentPaths;
  private readonly units = new Map<string, ServiceUnit>();
  private readonly flagSet: AgentFlags;
  /** Secret values by service and revision, held in memory only: never written by the agent. */
  private readonly secretValues = new Map<string, Readonly<Record<string, string>>>();
  private control: Server | undefined;
  private metricsServer: Server | undefined;
  private metricsPort: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private saving = false;
  private stopping: Promise<void> | undefined;
  private readonly startedAt = new Date().toISOString();
  private readonly log: (line: string) => void;
  private readonly now: () => number;
  /** Resolves when the agent has shut down. */
  readonly done: Promise<void>;
  private resolveDone!: () => void;

  constructor(private readonly options: AgentOptions) {
    this.paths = agentPaths(options.stateDir);
    this.log = options.log ?? (() => {});
    this.now = options.now ?? Date.now;
    this.flagSet = new AgentFlags(this.paths.flagsFile, this.log);
    this.done = new Promise((resolve) => {
      this.resolveDone = resolve;
    });
  }

  /**
   * Takes the pid lock, serves the saved flag set again, adopts saved instances, (re)claims their
   * ports, opens the control socket and metrics.
   */
  async start(): Promise<void> {
    mkdirSync(this.paths.logsDir, { recursive: true, mode: PRIVATE_DIR_MODE });
    this.lock();
    // Before any instance starts, so each gets the OFREP endpoint.
    await this.flagSet.restore();
    const state = readState(this.paths.stateFile, this.log);
    const ctx = this.unitContext();
    for (const saved of state.units) {
      const unit = ServiceUnit.restore(saved, ctx);
      this.units.set(key(unit), unit);
      this.log(`adopted ${unit.instances.size} instance(s) of ${unit.service} in ${unit.env}`);
    }
    await Promise.all([...this.units.values()].map((unit) => unit.open()));
    // Ports of units the state file does not know were opened by an agent that died before saving.
    await this.options.router.retain([...this.units.values()].map((unit) => unit.key));
    for (const unit of this.units.values()) unit.reconcile();
    this.save();
    this.timer = setInterval(() => {
      const now = this.now();
      for (const unit of this.units.values()) unit.tick(now);
    }, TICK_MS);
    await this.listenMetrics();
    await this.listenControl();
    this.log(`agent ${process.pid} ready on ${this.paths.socket}`);
  }

  /** The unit of a service in an environment; `create` opens one with that port. */
  async unit(ref: ServiceRef, create?: { port?: number }): Promise<ServiceUnit> {
    let unit = this.units.get(key(ref));
    if (!unit) {
      if (!create) {
        throw new PlatformError('SERVICE_NOT_FOUND', `${ref.service} is not deployed in ${ref.env}`);
      }
      const other = [...this.units.values()].find(
        (u) => create.port !== undefined && u.listeningPort === create.port,
      );
      if (other) {
        throw new PlatformError(
          'PORT_IN_USE',
          `port ${create.port} is already used by ${other.service} in ${other.env}`,
        );
      }
      unit = new ServiceUnit(ref.service, ref.env, create.port, this.unitContext());
      this.units.set(key(ref), unit);
    }
    if (create) await unit.open(create.port);
    return unit;
  }

  /** Every unit. */
  allUnits(): ServiceUnit[] {
    return [...this.units.values()];
  }

  /** Every unit's status. */
  services(): ServiceStatus[] {
    return this.allUnits().map((unit) => unit.status());
  }

  /** The agent itself. */
  info(): AgentInfo {
    return {
      pid: process.pid,
      supervisorPid: process.ppid,
      startedAt: this.startedAt,
      stateDir: this.options.stateDir,
      version: slipwayVersion(),
      ...(this.metricsPort ? { metricsUrl: `http://127.0.0.1:${this.metricsPort}/metrics` } : {}),
    };
  }

  /** Instances with their probes, and dependency checks run now. */
  async health(ref: ServiceRef): Promise<HealthReport> {
    const unit = await this.unit(ref);
    const instances = [...unit.instances.values()].map((i) => ({ ...i.status(), probes: i.probes() }));
    const manifest = unit.manifests().at(-1);
    const env = { ...this.options.env, ...manifest?.config.env };
    const dependencies = await Promise.all(
      (manifest?.config.dependencies ?? []).map((dep) => checkDependency(dep, env)),
    );
    const healthy =
      instances.some((i) => i.ready) &&
      instances.every((i) => i.phase !== 'crash-loop') &&
      dependencies.every((d) => d.ok);
    return { service: ref.service, env: ref.env, healthy, instances, dependencies };
  }

  /** Drains and stops a unit's instances and closes its port. */
  async remove(ref: ServiceRef): Promise<void> {
    const unit = await this.unit(ref);
    await unit.remove();
    this.units.delete(key(ref));
    this.save();
  }

  /** Prometheus text of every unit's router metrics. */
  async prometheus(): Promise<string> {
    return renderPrometheus(
      await Promise.all(
        this.allUnits().map(async (unit) => ({
          labels: { service: unit.service, env: unit.env },
          snapshot: await unit.metrics(),
        })),
      ),
    );
  }

  /** Serves `snapshot` over OFREP on `serving` unless a newer version is served. */
  publishFlags(snapshot: FlagSnapshot, serving: FlagServing): Promise<FlagsPublished> {
    return this.flagSet.publish(snapshot, serving);
  }

  /** Keeps the secret values a revision's instances start with (in memory, for this agent's life). */
  holdSecrets(service: string, revision: string, values: Readonly<Record<string, string>>): void {
    this.secretValues.set(`${service}\u0000${revision}`, { ...values });
  }

  /** The flag set served: its version, OFREP URL and digest. */
  flags(): FlagsStatus {
    return this.flagSet.status();
  }

  /** Stops the agent: drains and stops every instance unless `keepInstances`. */
  stop(options: { keepInstances: boolean }): Promise<void> {
    this.stopping ??= this.shutdown(options);
    return this.stopping;
  }

  private async shutdown({ keepInstances }: { keepInstances: boolean }): Promise<void> {
    this.log(keepInstances ? 'stopping, leaving instances running' : 'stopping: draining every instance');
    if (!keepInstances) {
      await Promise.all(this.allUnits().map((unit) => unit.remove()));
      this.units.clear();
    }
    if (this.timer) clearInterval(this.timer);
    this.writeStateNow();
    // The ports close before the control socket goes, so a new agent started right after can take them.
    await this.options.router.shutdown().catch((error: Error) => this.log(`supervisor: ${error.message}`));
    await this.flagSet.close();
    this.control?.close();
    this.metricsServer?.close();
    this.control?.closeAllConnections();
    this.metricsServer?.closeAllConnections();
    rmSync(this.paths.socket, { force: true });
    rmSync(this.paths.pidFile, { force: true });
    this.resolveDone();
  }

  /** Persists state soon (coalescing bursts of changes into one write). */
  save(): void {
    if (this.saving || this.stopping) return;
    this.saving = true;
    setImmediate(() => {
      this.saving = false;
      this.writeStateNow();
    });
  }

  private writeStateNow(): void {
    const state: SavedState = { version: 1, units: this.allUnits().map((unit) => unit.save()) };
    try {
      writeState(this.paths.stateFile, state);
    } catch (error) {
      this.log(`cannot write state: ${(error as Error).message}`);
    }
  }

  private unitContext(): UnitContext {
    const base = { ...(this.options.env ?? {}) };
    const flags = this.flagSet;
    const secrets = this.secretValues;
    return {
      stateDir: this.options.stateDir,
      logsDir: this.paths.logsDir,
      // Read when an instance starts, so one started after a publish gets the OFREP endpoint.
      get env() {
        return { ...base, ...flags.env() };
      },
      save: () => this.save(),
      secrets: (service, revision) => secrets.get(`${service}\u0000${revision}`),
      now: this.now,
      router: this.options.router,
      ...(this.options.listen !== undefined ? { listen: this.options.listen } : {}),
    };
  }

  /** Refuses to start beside a live agent; records this one's pid. */
  private lock(): void {
    if (existsSync(this.paths.pidFile)) {
      const [pid, start] = readFileSync(this.paths.pidFile, 'utf8').trim().split(' ');
      const other = Number(pid);
      if (
        other !== process.pid &&
        other > 0 &&
        processStartTime(other) !== undefined &&
        processStartTime(other) === start
      ) {
        throw new PlatformError(
          'AGENT_RUNNING',
          `an agent already runs for ${this.options.stateDir} (pid ${other})`,
        );
      }
    }
    writeFileSync(this.paths.pidFile, `${process.pid} ${processStartTime(process.pid) ?? ''}\n`, {
      mode: PRIVATE_FILE_MODE,
    });
  }

  private listenControl(): Promise<void> {
    rmSync(this.paths.socket, { force: true });
    const server = createServer((req, res) => {
      void handleControl(this, req, res);
    });
    this.control = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.paths.socket, () => {
        server.off('error', reject);
        // Only the owner may drive the agent.
        chmodSync(this.paths.socket, 0o600);
        resolve();
      });
    });
  }

  private listenMetrics(): Promise<void> {
    const server = createServer((req, res) => {
      if (req.method === 'GET' && req.url?.split('?')[0] === '/metrics') {
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
        void this.prometheus().then(
          (text) => res.end(text),
          (error: Error) => res.end(`# metrics unavailable: ${error.message}\n`),
        );
      } else {
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('not found\n');
      }
    });
    this.metricsServer = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.metricsPort ?? 0, '127.0.0.1', () => {
        server.off('error', reject);
        const address = server.address();
        this.metricsPort = typeof address === 'object' && address ? address.port : undefined;
        resolve();
      });
    });
  }
}

function key(ref: ServiceRef): string {
  return `${ref.service}\u0000${ref.env}`;
}
