/**
 * The probe threshold state machine, pure (no timers, no I/O) so that the agent's clock drives it:
 * when a probe is due, and what a run of results means with Kubernetes semantics.
 */
import type { ResolvedProbe } from '../../config/resolved.js';
import type { ProbeResult } from './run-probe.js';

/** The timing and thresholds a tracker needs from a probe. */
export type ProbeTiming = Pick<
  ResolvedProbe,
  'initialDelayMs' | 'periodMs' | 'successThreshold' | 'failureThreshold'
>;

/**
 * Where a probe stands. `unknown` until a threshold is first reached (readiness treats it as not
 * ready); between thresholds the previous status holds.
 */
export interface ProbeState {
  readonly status: 'unknown' | 'passing' | 'failing';
  readonly consecutiveSuccesses: number;
  readonly consecutiveFailures: number;
  readonly last?: ProbeResult & { readonly at: number };
}

/**
 * Tracks one probe of one instance. The caller asks `due(now)`, calls `started(now)` when it runs
 * the probe, and `record(result, now)` with the outcome; it must not run two at once.
 */
export class ProbeTracker {
  private lastStartedAt: number | undefined;
  private current: ProbeState = { status: 'unknown', consecutiveSuccesses: 0, consecutiveFailures: 0 };

  constructor(
    private readonly probe: ProbeTiming,
    private readonly options: { readonly startedAt: number },
  ) {}

  /** Whether a probe should start now: the initial delay has passed, then a period since the last start. */
  due(now: number): boolean {
    if (this.lastStartedAt === undefined) return now >= this.options.startedAt + this.probe.initialDelayMs;
    return now >= this.lastStartedAt + this.probe.periodMs;
  }

  /** Notes that a probe started at `now`; the next is due a period later. */
  started(now: number): void {
    this.lastStartedAt = now;
  }

  /** Folds one result into the state and returns the new state. */
  record(result: ProbeResult, now: number): ProbeState {
    const previous = this.current;
    const consecutiveSuccesses = result.ok ? previous.consecutiveSuccesses + 1 : 0;
    const consecutiveFailures = result.ok ? 0 : previous.consecutiveFailures + 1;
    let status = previous.status;
    if (consecutiveSuccesses >= Math.max(1, this.probe.successThreshold)) status = 'passing';
    if (consecutiveFailures >= Math.max(1, this.probe.failureThreshold)) status = 'failing';
    this.current = {
      status,
      consecutiveSuccesses,
      consecutiveFailures,
      last: { ok: result.ok, latencyMs: result.latencyMs, message: result.message, at: now },
    };
    return this.current;
  }

  /** The state after the last recorded result. */
  get state(): ProbeState {
    return this.current;
  }
}
