/** One infrastructure operation per environment at a time: a lease in the store, renewed while the operation runs. */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { LEASE_STALE_AFTER_MS, leaseOwnerId, leaseOwnerIsGone } from '../store/lease-owner.js';
import type { Store } from '../store/store.js';
import { InfraError } from './errors.js';

/** How an operation takes its environment's lease. */
export interface LeaseOptions {
  /** Wait this long for a busy environment instead of failing at once (default 0). */
  readonly waitMs?: number;
  /** The holder's name (default: this process). */
  readonly owner?: string;
  readonly now?: () => number;
}

const RENEW_EVERY_MS = 1000;

/** The lease key of an environment. */
export const leaseKey = (project: string, environment: string): string => `${project}/${environment}`;

/**
 * Runs `fn` holding the lease of `environment`; a second operation waits up to `waitMs`, then
 * fails with INFRA_BUSY naming who holds it and since when.
 */
export async function withInfraLease<T>(
  store: Store,
  key: string,
  operation: string,
  fn: () => Promise<T>,
  options: LeaseOptions = {},
): Promise<T> {
  // Two operations of one process are two holders: the process's name plus a nonce.
  const owner = options.owner ?? `${leaseOwnerId()}:${randomBytes(4).toString('hex')}`;
  const now = options.now ?? Date.now;
  const deadline = now() + (options.waitMs ?? 0);
  for (;;) {
    const claim = await store.claimInfraLease(key, owner, operation, now() - LEASE_STALE_AFTER_MS);
    if (claim.acquired) break;
    // A holder on this host that is gone cannot renew: take its lease over at once.
    if (leaseOwnerIsGone(claim.holder.owner)) {
      const retaken = await store.claimInfraLease(key, owner, operation, Number.MAX_SAFE_INTEGER);
      if (retaken.acquired) break;
    }
    if (now() >= deadline) {
      const since = new Date(claim.holder.acquiredAt).toISOString();
      throw new InfraError(
        'INFRA_BUSY',
        `the infrastructure of '${key}' is busy: ${claim.holder.operation} by ${claim.holder.owner} since ${since}; one infrastructure operation runs per environment at a time (try again when it ends, or wait with --wait)`,
      );
    }
    await sleep(Math.min(500, Math.max(50, deadline - now())));
  }
  const renew = setInterval(() => {
    store.renewInfraLease(key, owner).catch(() => {});
  }, RENEW_EVERY_MS);
  try {
    return await fn();
  } finally {
    clearInterval(renew);
    await store.releaseInfraLease(key, owner);
  }
}
