// The lease of a pipeline run: one process drives a run at a time, proven by a heartbeat in the store.
import { LEASE_STALE_AFTER_MS, leaseOwnerIsGone } from '../store/lease-owner.js';
import type { Store } from '../store/store.js';
import { PipelineError } from './errors.js';

const RENEW_EVERY_MS = 1000;

/** Store methods that write; a lost lease turns them into LEASE_LOST errors. */
const WRITES = new Set([
  'appendEvent',
  'createRun',
  'updateRun',
  'upsertJobRun',
  'appendLogs',
  'requestApproval',
  'decideApproval',
]);

/**
 * Holds a run's lease while it executes: renews the heartbeat every second and, should another
 * process take the run over (this one froze past the stale limit), aborts `signal` and fences the
 * store so this process writes nothing more about the run.
 */
export class RunLease {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private lost = false;

  private constructor(
    private readonly store: Store,
    readonly runId: number,
    readonly owner: string,
    private readonly now: () => number,
  ) {
    this.timer = setInterval(() => void this.renew(), RENEW_EVERY_MS);
    this.timer.unref();
  }

  /** Holds the lease of a run this process just created with `owner`. */
  static hold(store: Store, runId: number, owner: string, now: () => number): RunLease {
    return new RunLease(store, runId, owner, now);
  }

  /**
   * Takes the lease of an existing run: free, stale, or held by a process of this host that is
   * gone. Throws RUN_ACTIVE when a live holder keeps it.
   */
  static async take(
    store: Store,
    runId: number,
    owner: string,
    current: string | null,
    now: () => number,
  ): Promise<RunLease> {
    const staleBefore = leaseOwnerIsGone(current) ? Number.MAX_SAFE_INTEGER : now() - LEASE_STALE_AFTER_MS;
    if (!(await store.claimRun(runId, owner, staleBefore)))
      throw new PipelineError('RUN_ACTIVE', `run ${runId} is driven by ${current ?? 'another process'}`);
    return new RunLease(store, runId, owner, now);
  }

  /** Aborted when the lease is lost. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** `store` as seen by the run: writes fail with LEASE_LOST once the lease is gone. */
  fence(store: Store): Store {
    return new Proxy(store, {
      get: (target, property) => {
        const value: unknown = Reflect.get(target, property, target);
        if (typeof value !== 'function') return value;
        if (typeof property !== 'string' || !WRITES.has(property)) return value.bind(target);
        return (...args: unknown[]) => {
          if (this.lost)
            return Promise.reject(
              new PipelineError('RUN_ACTIVE', `run ${this.runId} was taken over by another process`),
            );
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
  }

  /** Stops renewing (the run ended, or this process is stopping and leaves it to a successor). */
  release(): void {
    clearInterval(this.timer);
  }

  private async renew(): Promise<void> {
    if (this.lost) return;
    try {
      const held = await this.store.claimRun(this.runId, this.owner, this.now() - LEASE_STALE_AFTER_MS);
      // A run that finished is no longer claimable; only a live run held by another owner is lost.
      if (!held) {
        const run = await this.store.getRun(this.runId);
        if (run && run.owner !== this.owner && ['queued', 'running', 'waiting'].includes(run.status)) {
          this.lost = true;
          this.controller.abort();
          clearInterval(this.timer);
        }
      }
    } catch {
      // A store hiccup: the next renewal tries again; staleness takes 5 s.
    }
  }
}
