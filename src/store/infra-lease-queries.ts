// Queries of the infra_leases table: a claim is one upsert whose update only fires when the row may be taken.
import type { Kysely, Selectable } from 'kysely';
import { toStoreError } from './driver-errors.js';
import type { InfraLease, InfraLeaseClaim } from './infra-leases.js';
import type { Database, InfraLeasesTable } from './schema.js';

function toLease(row: Selectable<InfraLeasesTable>): InfraLease {
  return {
    key: row.key,
    owner: row.owner,
    operation: row.operation,
    acquiredAt: Number(row.acquired_at),
    heartbeatAt: Number(row.heartbeat_at),
  };
}

/** Takes the lease of `key` for `owner` when free, its own, or stale; else returns its holder. */
export async function claimInfraLease(
  db: Kysely<Database>,
  now: number,
  input: { key: string; owner: string; operation: string; staleBefore: number },
): Promise<InfraLeaseClaim> {
  try {
    await db
      .insertInto('infra_leases')
      .values({
        key: input.key,
        owner: input.owner,
        operation: input.operation,
        acquired_at: now,
        heartbeat_at: now,
      })
      .onConflict((oc) =>
        oc
          .column('key')
          .doUpdateSet({
            owner: input.owner,
            operation: input.operation,
            acquired_at: now,
            heartbeat_at: now,
          })
          .where((eb) =>
            eb.or([
              eb('infra_leases.owner', '=', input.owner),
              eb('infra_leases.heartbeat_at', '<', input.staleBefore),
            ]),
          ),
      )
      .execute();
    const row = await db
      .selectFrom('infra_leases')
      .selectAll()
      .where('key', '=', input.key)
      .executeTakeFirstOrThrow();
    const lease = toLease(row);
    return lease.owner === input.owner ? { acquired: true, lease } : { acquired: false, holder: lease };
  } catch (error) {
    throw toStoreError('claiming an infrastructure lease', error);
  }
}

/** Renews `owner`'s lease of `key`; false when it no longer holds it. */
export async function renewInfraLease(
  db: Kysely<Database>,
  now: number,
  key: string,
  owner: string,
): Promise<boolean> {
  try {
    const result = await db
      .updateTable('infra_leases')
      .set({ heartbeat_at: now })
      .where('key', '=', key)
      .where('owner', '=', owner)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  } catch (error) {
    throw toStoreError('renewing an infrastructure lease', error);
  }
}

/** Deletes `owner`'s lease of `key`. */
export async function releaseInfraLease(db: Kysely<Database>, key: string, owner: string): Promise<void> {
  try {
    await db.deleteFrom('infra_leases').where('key', '=', key).where('owner', '=', owner).execute();
  } catch (error) {
    throw toStoreError('releasing an infrastructure lease', error);
  }
}
