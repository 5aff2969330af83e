// Lease holders of runs and rollouts: a process named by host, pid and start time, renewed by heartbeat.
import { hostname } from 'node:os';

/** A lease whose heartbeat is older than this is presumed orphaned and may be taken over. */
export const LEASE_STALE_AFTER_MS = 5000;

/** A name for this process as a lease holder: `host:pid:start`. */
export function leaseOwnerId(): string {
  return `${hostname()}:${process.pid}:${Date.now()}`;
}

/** True when `owner` names a process on this host that no longer runs (its lease can go at once). */
export function leaseOwnerIsGone(owner: string | null): boolean {
  if (!owner) return false;
  const [host, pid] = owner.split(':');
  if (host !== hostname() || !pid) return false;
  try {
    process.kill(Number(pid), 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
