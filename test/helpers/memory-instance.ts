/**
 * One instance on the memory platform: its app on an in-process HTTP server, readiness and
 * liveness probes with the agent's semantics (real probes over loopback, due when the clock says
 * so), restarts, and draining.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ResolvedProbe, ResolvedService } from '../../src/config/resolved.js';
import { type ProbeState, ProbeTracker } from '../../src/platform/health/probe-tracker.js';
import { runProbe } from '../../src/platform/health/run-probe.js';
import type { InstancePhase, InstanceStatus, ProbeReport } from '../../src/platform/platform.js';
import type { AppFactory } from './memory-app.js';

/**
 * Starts in a row that fail before the instance gives up. The agent keeps retrying with back-off;
 * here the retries happen at once, so a crash loop shows without waiting.
 */
export const CRASH_LOOP_STARTS = 3;
/** How often due probes are looked for. */
const TICK_MS = 20;
/** Without a readiness probe, an instance is ready once its port accepts connections (as on the agent). */
const IMPLICIT_READINESS: ResolvedProbe = {
  kind: 'tcp',
  initialDelayMs: 0,
  periodMs: 1000,
  timeoutMs: 1000,
  successThreshold: 1,
  failureThreshold: 3,
};

/** What an instance runs and reports to. */
export interface InstanceSetup {
  readonly id: string;
  readonly revision: string;
  readonly service: Pick<ResolvedService, 'readiness' | 'liveness' | 'env' | 'shutdown'>;
  /** The revision's source folder: where exec probes run. */
  readonly sourceDir: string;
  readonly app: AppFactory;
  readonly env: Readonly<Record<string, string>>;
  readonly now: () => number;
  /** Called whenever readiness or phase changes. */
  readonly changed: () => void;
}

/** A simulated instance process. */
export class MemoryInstance {
  phase: InstancePhase = 'starting';
  ready = false;
  restarts = 0;
  port = 0;
  message: string | undefined;
  /** Failed starts (or restarts) in a row without becoming ready. */
  failures = 0;
  /** Settles once the instance is listening (or gave up) and ran the probes due at start. */
  readonly started: Promise<void>;
  #server: Server | undefined;
  #generation = 0;
  #stopping = false;
  #timer: NodeJS.Timeout | undefined;
  #readiness: ProbeTracker;
  #liveness: ProbeTracker | undefined;
  #states: { readiness?: ProbeState; liveness?: ProbeState } = {};
  #probing = { readiness: false, liveness: false };

  constructor(private readonly setup: InstanceSetup) {
    this.#readiness = new ProbeTracker(this.#readinessProbe(), { startedAt: setup.now() });
    this.started = this.#start();
  }

  get id(): string {
    return this.setup.id;
  }

  get revision(): string {
    return this.setup.revision;
  }

  /** Whether it still counts toward its revision's size (false once draining). */
  get active(): boolean {
    return !this.#stopping;
  }

  /** Drains (through `drain`), then closes the server, cutting what is left after the stop timeout. */
  async stop(drain: (drainMs: number) => Promise<unknown>): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = true;
    clearInterval(this.#timer);
    this.phase = 'draining';
    this.ready = false;
    this.setup.changed();
    await this.started;
    await drain(this.setup.service.shutdown.drainMs);
    await this.#closeServer(this.setup.service.shutdown.timeoutMs);
    this.phase = 'stopped';
    this.setup.changed();
  }

  /** Stops at once, cutting every connection. */
  async kill(): Promise<void> {
    this.#stopping = true;
    clearInterval(this.#timer);
    this.phase = 'stopped';
    this.ready = false;
    await this.#closeServer(0);
  }

  /** The instance as the platform contract shows it. */
  status(): InstanceStatus {
    return {
      id: this.id,
      revision: this.revision,
      phase: this.phase,
      ready: this.ready,
      restarts: this.restarts,
      ...(this.message ? { message: this.message } : {}),
      ...(this.port ? { address: `127.0.0.1:${this.port}` } : {}),
    };
  }

  /** The probes' latest outcomes. */
  probes(): ProbeReport[] {
    const out = [report('readiness', this.#states.readiness)];
    if (this.setup.service.liveness) out.push(report('liveness', this.#states.liveness));
    return out;
  }

  async #start(): Promise<void> {
    const env = {
      ...this.setup.env,
      ...this.setup.service.env,
      SLIPWAY_REVISION: this.revision,
      SLIPWAY_INSTANCE: this.id,
    };
    for (;;) {
      if (this.#stopping) return;
      const app = this.setup.app({ env, now: this.setup.now });
      if (app.status === 'serving') {
        const server = createServer(app.handle);
        this.port = await listen(server);
        this.#server = server;
        if (this.#stopping) return this.#closeServer(0);
        break;
      }
      this.#failed(`exited with code ${app.code}: ${app.output}`);
      if (this.failures >= CRASH_LOOP_STARTS) return;
    }
    this.#generation += 1;
    const now = this.setup.now();
    this.#readiness = new ProbeTracker(this.#readinessProbe(), { startedAt: now });
    const { liveness } = this.setup.service;
    this.#liveness = liveness ? new ProbeTracker(liveness, { startedAt: now }) : undefined;
    this.#states = {};
    this.phase = 'starting';
    this.setup.changed();
    await this.#tick();
    this.#timer ??= setInterval(() => void this.#tick(), TICK_MS);
    this.#timer.unref();
  }

  /** Runs the probes that are due (liveness only once the instance has been ready, as on the agent). */
  async #tick(): Promise<void> {
    if (this.#stopping || !this.#server) return;
    const now = this.setup.now();
    const runs: Promise<void>[] = [];
    if (!this.#probing.readiness && this.#readiness.due(now)) runs.push(this.#probe('readiness', now));
    if (this.#liveness && this.phase === 'running' && !this.#probing.liveness && this.#liveness.due(now))
      runs.push(this.#probe('liveness', now));
    await Promise.all(runs);
  }

  async #probe(kind: 'readiness' | 'liveness', now: number): Promise<void> {
    const tracker = kind === 'readiness' ? this.#readiness : this.#liveness;
    const probe = kind === 'readiness' ? this.#readinessProbe() : this.setup.service.liveness;
    if (!tracker || !probe) return;
    const generation = this.#generation;
    this.#probing[kind] = true;
    tracker.started(now);
    try {
      const port = probe.kind !== 'exec' && probe.port ? probe.port : this.port;
      const target = { host: '127.0.0.1', port, cwd: this.setup.sourceDir, env: { PORT: String(this.port) } };
      const result = await runProbe(probe, target, probe.timeoutMs);
      if (generation !== this.#generation || this.#stopping) return;
      const state = tracker.record(result, this.setup.now());
      this.#states[kind] = state;
      if (kind === 'liveness') {
        if (state.status === 'failing')
          await this.#restart(`liveness failing: ${result.message}; restarting`);
        return;
      }
      const ready = state.status === 'passing';
      if (!result.ok) this.message = `readiness: ${result.message}`;
      if (ready !== this.ready) {
        this.ready = ready;
        if (ready) {
          this.phase = 'running';
          this.failures = 0;
          // Restarts happen at once here, so the reason of the last one stays visible once ready again.
          if (this.message?.startsWith('readiness')) this.message = undefined;
        }
        this.setup.changed();
      }
    } finally {
      this.#probing[kind] = false;
    }
  }

  async #restart(reason: string): Promise<void> {
    this.ready = false;
    this.setup.changed();
    await this.#closeServer(0);
    this.#failed(reason);
    await this.#start();
  }

  #failed(reason: string): void {
    this.#generation += 1;
    this.ready = false;
    this.failures += 1;
    this.restarts += 1;
    this.phase = this.failures >= 2 ? 'crash-loop' : 'starting';
    this.message = `${reason} (restart ${this.restarts})`;
    this.setup.changed();
  }

  #readinessProbe(): ResolvedProbe {
    return this.setup.service.readiness ?? IMPLICIT_READINESS;
  }

  async #closeServer(timeoutMs: number): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    if (!server) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const cut = setTimeout(() => server.closeAllConnections(), timeoutMs);
    await closed;
    clearTimeout(cut);
  }
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function report(kind: 'readiness' | 'liveness', state: ProbeState | undefined): ProbeReport {
  if (!state) return { kind, status: 'unknown' };
  return {
    kind,
    status: state.status,
    ...(state.last
      ? { latencyMs: Math.round(state.last.latencyMs * 10) / 10, message: state.last.message }
      : {}),
  };
}
