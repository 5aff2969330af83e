/** Runs a use case's work under the lease of its run, so only one process drives a run at a time. */
import { leaseOwnerId } from '../store/lease-owner.js';
import type { Run } from '../store/store.js';
import type { PipelineDeps } from './pipeline-deps.js';
import { RunLease } from './run-lease.js';

/**
 * Runs `work` under the lease of `run` (held since its creation, or taken over with `take`):
 * it sees a store fenced by the lease and a signal that also aborts when the lease is lost.
 */
export async function underLease<T>(
  deps: PipelineDeps,
  run: Run,
  work: (deps: PipelineDeps) => Promise<T>,
  take = false,
): Promise<T> {
  const owner = run.owner ?? deps.owner ?? leaseOwnerId();
  const now = () => deps.clock.now();
  const lease = take
    ? await RunLease.take(deps.store, run.id, deps.owner ?? leaseOwnerId(), run.owner, now)
    : RunLease.hold(deps.store, run.id, owner, now);
  try {
    return await work({
      ...deps,
      store: lease.fence(deps.store),
      signal: AbortSignal.any([deps.signal, lease.signal]),
    });
  } finally {
    lease.release();
  }
}
