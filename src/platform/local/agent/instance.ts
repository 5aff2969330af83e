/**
 * One instance of a revision: its process, its readiness and liveness probes, and restarts with
 * exponential back-off. The service unit owns instances and turns their state into routes.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ResolvedProbe } from '../../../config/resolved.js';
import { isSameProcess } from '../../../process/process-identity.js';
import { type ProbeState, ProbeTracker } from '../../health/probe-tracker.js';
import { runProbe } from '../../health/run-probe.js';
import type { InstancePhase, InstanceStatus, ProbeReport } from '../../platform.js';
import type { RevisionManifest } from '../revisions.js';
import { freePort, lastLogLine, signalGroup, startProcess } from './instance-process.js';

/** The first restart waits this long; each further failure doubles it, up to RESTART_MAX_MS. */
export const RESTART_BASE_MS = 500;
const RESTART_MAX_MS = 30_000;
/**
 * Until readiness first passes, it is checked at least this often (every tick of the agent), so a
 * new instance joins as soon as it answers: a probe of a port nobody listens on yet costs nothing.
 */
const STARTUP_PROBE_MS = 50;
/** Without a readiness probe, an instance is ready once its port accepts connections. */
const IMPLICIT_READINESS: ResolvedProbe = {
  kind: 'tcp',
  initialDelayMs: 0,
  periodMs: 1000,
  timeoutMs: 1000,
  successThreshold: 1,
  failureThreshold: 3,
};

/** What an instance needs from its unit. */
export interface InstanceContext {
  readonly manifest: RevisionManifest;
  readonly cwd: string;
  readonly logFile: string;
  readonly env: Readonly<Record<string, string>>;
  /** The revision's secret values, when the agent holds them (handed over at deploy, kept in memory). */
  readonly secrets: () => Readonly<Record<string, string>> | undefined;
  /** Called whenever readiness or phase changes. */
  readonly changed: () => void;
  readonly now: () => number;
}

/** How an instance was recorded in the agent's state file. */
export interface SavedInstance {
  readonly id: string;
  readonly revision: string;
  readonly port: number;
  readonly pid: number;
  readonly startTime: string;
  readonly ready: boolean;
  readonly restarts: number;
}

/** A supervised instance process. */
export class Instance {
  port = 0;
  pid = -1;
  startTime = '';
  phase: InstancePhase = 'starting';
  ready = false;
  restarts = 0;
  message: string | undefined;
  private failures = 0;
  private nextStartAt: number | undefined;
  private starting = false;
  private stopping = false;
  private readiness!: ProbeTracker;
  private liveness: ProbeTracker | undefined;
  private readinessState: ProbeState | undefined;
  private livenessState: ProbeState | undefined;
  private probing = { readiness: false, liveness: false };
  private lastReadinessAt = 0;
  private startedAt = 0;
  /** True for a process this agent started (its exit event says how it ended); false once adopted. */
  private owned = false;

  constructor(
    readonly id: string,
    readonly revision: string,
    private readonly ctx: InstanceContext,
  ) {
    this.resetProbes();
  }

  /** Starts the process on a free port. */
  async start(): Promise<void> {
    if (this.starting || this.stopping) return;
    this.starting = true;
    try {
      const secrets = this.secretValues();
      this.port = await freePort();
      const started = startProcess(this.ctx.manifest.config.run, {
        cwd: this.ctx.cwd,
        env: {
          ...this.ctx.env,
          ...this.ctx.manifest.config.env,
          ...secrets,
          PORT: String(this.port),
          HOST: '127.0.0.1',
          SLIPWAY_SERVICE: this.ctx.manifest.service,
          SLIPWAY_REVISION: this.revision,
          SLIPWAY_INSTANCE: this.id,
        },
        logFile: this.ctx.logFile,
      });
      this.pid = started.pid;
      this.startTime = started.startTime;
      this.owned = true;
      this.nextStartAt = undefined;
      this.phase = 'starting';
      this.resetProbes();
      const pid = this.pid;
      void started.exited.then((how) => this.exited(pid, how));
      if (pid < 0) return;
    } catch (error) {
      this.exited(this.pid, `could not start: ${(error as Error).message}`);
    } finally {
      this.starting = false;
      this.ctx.changed();
    }
  }

  /** The values of the revision's secrets; throws when the agent does not hold every one. */
  private secretValues(): Readonly<Record<string, string>> {
    const names = Object.keys(this.ctx.manifest.config.secretVersions ?? {});
    if (names.length === 0) return {};
    const values = this.ctx.secrets();
    const missing = names.filter((name) => values?.[name] === undefined);
    if (missing.length > 0)
      throw new Error(
        `the agent does not hold secret(s) ${missing.join(', ')} of ${this.revision} (it was restarted since the deploy): deploy again`,
      );
    return values ?? {};
  }

  /** Takes over a process a previous agent started; false when it is gone. */
  adopt(saved: SavedInstance): boolean {
    this.port = saved.port;
    this.pid = saved.pid;
    this.startTime = saved.startTime;
    this.restarts = saved.restarts;
    this.owned = false;
    if (!isSameProcess(saved.pid, saved.startTime)) return false;
    this.phase = saved.ready ? 'running' : 'starting';
    // Keep routing to it at once; the readiness probe runs right away and corrects this if needed.
    this.ready = saved.ready;
    this.resetProbes();
    if (saved.ready)
      this.readinessState = { status: 'passing', consecutiveSuccesses: 1, consecutiveFailures: 0 };
    return true;
  }

  /** Advances the instance: notices exits, restarts after back-off, runs due probes. */
  tick(now: number): void {
    if (this.stopping) return;
    // An adopted process is not our child: only polling tells when it is gone.
    if (!this.owned && this.pid > 0 && (this.phase === 'starting' || this.phase === 'running')) {
      if (!isSameProcess(this.pid, this.startTime)) this.exited(this.pid, 'exited');
    }
    if (this.nextStartAt !== undefined && now >= this.nextStartAt && !this.starting) {
      void this.start();
      return;
    }
    if (this.pid <= 0 || this.nextStartAt !== undefined) return;
    if (!this.probing.readiness && this.readinessDue(now)) void this.probe('readiness', now);
    // Like a Kubernetes startup probe: liveness counts only once the instance has been ready.
    if (this.liveness && this.phase === 'running' && !this.probing.liveness && this.liveness.due(now)) {
      void this.probe('liveness', now);
    }
  }

  /** Drains (through `drain`), then SIGTERM, then SIGKILL after `timeoutMs`. */
  async stop(drain: () => Promise<unknown>, timeoutMs: number): Promise<void> {
    this.stopping = true;
    this.phase = 'draining';
    this.ready = false;
    this.ctx.changed();
    await drain();
    await this.terminate(timeoutMs);
    this.phase = 'stopped';
    this.ctx.changed();
  }

  /** Its revision's drain and stop timeouts. */
  get shutdown(): { readonly drainMs: number; readonly timeoutMs: number } {
    return this.ctx.manifest.config.shutdown;
  }

  /** Whether this instance still counts toward its revision's size. */
  get active(): boolean {
    return !this.stopping;
  }

  /** The probes' latest outcomes. */
  probes(): ProbeReport[] {
    const out: ProbeReport[] = [report('readiness', this.readinessState)];
    if (this.liveness) out.push(report('liveness', this.livenessState));
    return out;
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

  /** The record kept in the state file. */
  save(): SavedInstance {
    return {
      id: this.id,
      revision: this.revision,
      port: this.port,
      pid: this.pid,
      startTime: this.startTime,
      ready: this.ready,
      restarts: this.restarts,
    };
  }

  /** How many times in a row it failed without ever becoming ready. */
  get consecutiveFailures(): number {
    return this.failures;
  }

  private readinessProbe(): ResolvedProbe {
    return this.ctx.manifest.config.readiness ?? IMPLICIT_READINESS;
  }

  private readinessDue(now: number): boolean {
    if (this.readiness.due(now)) return true;
    // Until readiness first passes, check often, so that a new instance joins as soon as it listens.
    return (
      this.phase === 'starting' &&
      this.readinessState?.status !== 'passing' &&
      now >= this.startedAt + this.readinessProbe().initialDelayMs &&
      now >= this.lastReadinessAt + STARTUP_PROBE_MS
    );
  }

  private resetProbes(): void {
    const now = this.ctx.now();
    this.startedAt = now;
    this.readiness = new ProbeTracker(this.readinessProbe(), { startedAt: now });
    const liveness = this.ctx.manifest.config.liveness;
    this.liveness = liveness ? new ProbeTracker(liveness, { startedAt: now }) : undefined;
    this.readinessState = undefined;
    this.livenessState = undefined;
    this.lastReadinessAt = 0;
  }

  private async probe(kind: 'readiness' | 'liveness', now: number): Promise<void> {
    const tracker = kind === 'readiness' ? this.readiness : this.liveness;
    const probe = kind === 'readiness' ? this.readinessProbe() : this.ctx.manifest.config.liveness;
    if (!tracker || !probe) return;
    const pid = this.pid;
    this.probing[kind] = true;
    tracker.started(now);
    if (kind === 'readiness') this.lastReadinessAt = now;
    try {
      const result = await runProbe(
        probe,
        {
          host: '127.0.0.1',
          port: probe.kind !== 'exec' && probe.port ? probe.port : this.port,
          cwd: this.ctx.cwd,
          env: { ...this.ctx.env, PORT: String(this.port) },
        },
        probe.timeoutMs,
      );
      if (this.pid !== pid || this.stopping) return;
      const state = tracker.record(result, this.ctx.now());
      if (kind === 'readiness') {
        this.readinessState = state;
        const ready = state.status === 'passing';
        if (!result.ok) this.message = `readiness: ${result.message}`;
        else if (ready && this.message?.startsWith('readiness')) this.message = undefined;
        if (ready !== this.ready) {
          this.ready = ready;
          if (ready) {
            this.phase = 'running';
            this.failures = 0;
            this.message = undefined;
          }
          this.ctx.changed();
        }
      } else {
        this.livenessState = state;
        if (state.status === 'failing') {
          this.message = `liveness failing: ${result.message}; restarting`;
          await this.restart();
        }
      }
    } finally {
      this.probing[kind] = false;
    }
  }

  /** Stops a live-but-unhealthy process and schedules a start with back-off. */
  private async restart(): Promise<void> {
    const pid = this.pid;
    this.ready = false;
    this.ctx.changed();
    await this.terminate(this.ctx.manifest.config.shutdown.timeoutMs);
    if (this.pid === pid) this.exited(pid, this.message ?? 'restarted');
  }

  private exited(pid: number, how: string): void {
    if (pid !== this.pid || this.stopping) return;
    const last = lastLogLine(this.ctx.logFile);
    this.pid = -1;
    this.ready = false;
    this.failures += 1;
    this.restarts += 1;
    const delay = Math.min(RESTART_BASE_MS * 2 ** (this.failures - 1), RESTART_MAX_MS);
    this.nextStartAt = this.ctx.now() + delay;
    this.phase = this.failures >= 2 ? 'crash-loop' : 'starting';
    const reason = this.message?.startsWith('liveness') ? this.message : `${how}${last ? `: ${last}` : ''}`;
    this.message = `${reason} (restart ${this.restarts} in ${delay} ms)`;
    this.ctx.changed();
  }

  private async terminate(timeoutMs: number): Promise<void> {
    const { pid, startTime } = this;
    if (pid <= 0 || !isSameProcess(pid, startTime)) return;
    signalGroup(pid, 'SIGTERM');
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline && isSameProcess(pid, startTime)) await sleep(25);
    if (isSameProcess(pid, startTime)) signalGroup(pid, 'SIGKILL');
    // Whatever the group left behind goes too.
    signalGroup(pid, 'SIGKILL');
  }
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
