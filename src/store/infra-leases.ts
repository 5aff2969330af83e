// The infrastructure lease part of the store contract: one infrastructure operation per environment at a time.

/** Who holds an environment's infrastructure lease, doing what, since when. */
export interface InfraLease {
  /** The environment (`<project>/<environment>` where a store holds several projects). */
  readonly key: string;
  /** The holder (`host:pid:start`). */
  readonly owner: string;
  /** What the holder is doing: `plan`, `apply` or `drift`. */
  readonly operation: string;
  readonly acquiredAt: number;
  /** Renewed while the operation runs; a lease whose heartbeat is older than the stale limit may be taken over. */
  readonly heartbeatAt: number;
}

/** Taking a lease: held now, or held by someone else (who). */
export type InfraLeaseClaim =
  | { readonly acquired: true; readonly lease: InfraLease }
  | { readonly acquired: false; readonly holder: InfraLease };

/** The store operations of infrastructure leases. */
export interface InfraLeaseOperations {
  /**
   * Takes the lease of `key` for `owner` when it is free, already `owner`'s, or its heartbeat is
   * older than `staleBefore`; otherwise says who holds it.
   */
  claimInfraLease(
    key: string,
    owner: string,
    operation: string,
    staleBefore: number,
  ): Promise<InfraLeaseClaim>;
  /** Renews `owner`'s lease of `key`; false when `owner` no longer holds it. */
  renewInfraLease(key: string, owner: string): Promise<boolean>;
  /** Gives the lease of `key` up when `owner` holds it. */
  releaseInfraLease(key: string, owner: string): Promise<void>;
}
