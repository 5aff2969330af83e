/** A stored run as the use cases see it: found or RUN_NOT_FOUND, still active or not, its process alive or not. */
import { hostname } from 'node:os';
import { leaseOwnerIsGone } from '../store/lease-owner.js';
import type { Run, Store } from '../store/store.js';
import { PipelineError } from './errors.js';

/** Statuses of a run that has not ended. */
export const ACTIVE_STATUSES: readonly Run['status'][] = ['queued', 'running', 'waiting'];

/** Reads a run or fails with RUN_NOT_FOUND. */
export async function getRunOrThrow(store: Store, id: number): Promise<Run> {
  const run = await store.getRun(id);
  if (!run) throw new PipelineError('RUN_NOT_FOUND', `no run ${id} (see \`slipway runs\`)`);
  return run;
}

/** True while a run has not ended (queued, running or waiting for an approval). */
export function isActive(run: Run): boolean {
  return ACTIVE_STATUSES.includes(run.status);
}

/** True when the process recorded as driving a run (`pid`, on this host) still exists. */
export function runProcessAlive(pid: number | null): boolean {
  // The pid is checked as a lease holder of this host, with the one check leases use.
  return pid !== null && pid > 0 && !leaseOwnerIsGone(`${hostname()}:${pid}`);
}
