// The notification outbox part of the store contract over Kysely: queue, lease, record the outcome, list.
import type { Expression, ExpressionBuilder, Kysely, Selectable, SqlBool } from 'kysely';
import { toStoreError } from './driver-errors.js';
import { StoreError } from './errors.js';
import { decodeObject, encodeJson } from './json-columns.js';
import type {
  DeliveryClaim,
  DeliveryFilter,
  DeliveryRetry,
  DeliveryStatus,
  NewNotificationDelivery,
  NotificationDelivery,
} from './notification-deliveries.js';
import type { Database, NotificationDeliveriesTable } from './schema.js';

/** Longest error text kept; a receiver's answer is quoted in it, and it only has to help an operator. */
const MAX_ERROR_LENGTH = 1000;

function toDelivery(row: Selectable<NotificationDeliveriesTable>): NotificationDelivery {
  return {
    id: row.id,
    idempotencyKey: row.idempotency_key,
    channel: row.channel,
    trigger: row.trigger,
    payload: decodeObject(row.payload),
    status: row.status as DeliveryStatus,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    lastError: row.last_error,
    leaseOwner: row.lease_owner,
    leaseExpiresAt: row.lease_expires_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    deliveredAt: row.delivered_at,
  };
}

function requireText(value: unknown, what: string): void {
  if (typeof value !== 'string' || value.trim() === '')
    throw new StoreError('INVALID_INPUT', `a notification delivery needs a non-empty ${what}`);
}

function requireMs(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0)
    throw new StoreError('INVALID_INPUT', `${what} must be a non-negative integer of milliseconds`);
  return value;
}

function errorText(error: string): string {
  return error.length > MAX_ERROR_LENGTH ? `${error.slice(0, MAX_ERROR_LENGTH - 3)}...` : error;
}

/** Queues a delivery; the unique key turns a second one into a no-op (ON CONFLICT, so a caller's transaction survives). */
export async function enqueueNotificationDelivery(
  db: Kysely<Database>,
  now: number,
  input: NewNotificationDelivery,
): Promise<boolean> {
  requireText(input.idempotencyKey, 'idempotency key');
  requireText(input.channel, 'channel');
  requireText(input.trigger, 'trigger');
  const { payload } = input;
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload))
    throw new StoreError('INVALID_INPUT', 'a notification delivery payload must be a JSON object');
  const due = input.nextAttemptAt === undefined ? now : requireMs(input.nextAttemptAt, 'nextAttemptAt');
  try {
    const row = await db
      .insertInto('notification_deliveries')
      .values({
        idempotency_key: input.idempotencyKey,
        channel: input.channel,
        trigger: input.trigger,
        payload: encodeJson(payload, 'payload'),
        status: 'pending',
        attempts: 0,
        next_attempt_at: due,
        created_at: now,
        updated_at: now,
      })
      .onConflict((oc) => oc.column('idempotency_key').doNothing())
      .returning('id')
      .executeTakeFirst();
    return row !== undefined;
  } catch (error) {
    throw toStoreError('queueing a notification delivery', error);
  }
}

/** Due for a claim at `now`: pending and its time has come, or sending under a lease that ran out. */
function due(now: number) {
  return (eb: ExpressionBuilder<Database, 'notification_deliveries'>): Expression<SqlBool> =>
    eb.or([
      eb.and([eb('status', '=', 'pending'), eb('next_attempt_at', '<=', now)]),
      eb.and([eb('status', '=', 'sending'), eb('lease_expires_at', '<=', now)]),
    ]);
}

/**
 * Leases due deliveries in one UPDATE whose WHERE repeats the due condition: on PostgreSQL a
 * concurrent claimer blocked on a row re-checks it against the committed row and skips it; on
 * SQLite writers are serialized. Either way a row goes to one claimer only.
 */
export async function claimNotificationDeliveries(
  db: Kysely<Database>,
  now: number,
  claim: DeliveryClaim,
): Promise<NotificationDelivery[]> {
  requireText(claim.owner, 'lease owner');
  if (!Number.isSafeInteger(claim.limit) || claim.limit <= 0)
    throw new StoreError('INVALID_INPUT', `limit must be a positive integer, got ${claim.limit}`);
  const leaseMs = requireMs(claim.leaseMs, 'leaseMs');
  if (claim.channels !== undefined && claim.channels.length === 0) return [];
  try {
    let candidates = db
      .selectFrom('notification_deliveries')
      .select('id')
      .where(due(now))
      .orderBy('next_attempt_at')
      .orderBy('id')
      .limit(claim.limit);
    if (claim.channels !== undefined) candidates = candidates.where('channel', 'in', claim.channels);
    const rows = await db
      .updateTable('notification_deliveries')
      .set((eb) => ({
        status: 'sending',
        attempts: eb('attempts', '+', 1),
        lease_owner: claim.owner,
        lease_expires_at: now + leaseMs,
        updated_at: now,
      }))
      .where('id', 'in', candidates)
      .where(due(now))
      .returningAll()
      .execute();
    return rows.map(toDelivery).sort((a, b) => a.nextAttemptAt - b.nextAttemptAt || a.id - b.id);
  } catch (error) {
    throw toStoreError('claiming notification deliveries', error);
  }
}

/** Records a delivery as delivered unless it already is. */
export async function markNotificationDelivered(
  db: Kysely<Database>,
  now: number,
  id: number,
): Promise<boolean> {
  try {
    const result = await db
      .updateTable('notification_deliveries')
      .set({
        status: 'delivered',
        delivered_at: now,
        updated_at: now,
        lease_owner: null,
        lease_expires_at: null,
      })
      .where('id', '=', id)
      .where('status', '<>', 'delivered')
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  } catch (error) {
    throw toStoreError('recording a notification delivery', error);
  }
}

/** Puts a delivery `owner` still holds back to pending, due after the delay. */
export async function retryNotificationDelivery(
  db: Kysely<Database>,
  now: number,
  id: number,
  owner: string,
  retry: DeliveryRetry,
): Promise<boolean> {
  const delayMs = requireMs(retry.delayMs, 'delayMs');
  return settle(db, now, id, owner, 'pending', now + delayMs, retry.error, 'scheduling a notification retry');
}

/** Marks a delivery `owner` still holds failed for good. */
export async function failNotificationDelivery(
  db: Kysely<Database>,
  now: number,
  id: number,
  owner: string,
  error: string,
): Promise<boolean> {
  return settle(db, now, id, owner, 'failed', undefined, error, 'recording a failed notification');
}

/** Ends `owner`'s lease with an outcome, only while it still holds it (a worker that lost it changes nothing). */
async function settle(
  db: Kysely<Database>,
  now: number,
  id: number,
  owner: string,
  status: 'pending' | 'failed',
  nextAttemptAt: number | undefined,
  error: string,
  operation: string,
): Promise<boolean> {
  requireText(owner, 'lease owner');
  if (typeof error !== 'string') throw new StoreError('INVALID_INPUT', 'a delivery error must be text');
  try {
    const result = await db
      .updateTable('notification_deliveries')
      .set({
        status,
        last_error: errorText(error),
        lease_owner: null,
        lease_expires_at: null,
        updated_at: now,
        ...(nextAttemptAt === undefined ? {} : { next_attempt_at: nextAttemptAt }),
      })
      .where('id', '=', id)
      .where('status', '=', 'sending')
      .where('lease_owner', '=', owner)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  } catch (cause) {
    throw toStoreError(operation, cause);
  }
}

/** Lists deliveries newest first; an empty status list matches nothing. */
export async function listNotificationDeliveries(
  db: Kysely<Database>,
  filter: DeliveryFilter,
): Promise<NotificationDelivery[]> {
  const statuses = typeof filter.status === 'string' ? [filter.status] : filter.status;
  if (statuses !== undefined && statuses.length === 0) return [];
  try {
    let query = db.selectFrom('notification_deliveries').selectAll().orderBy('id', 'desc');
    if (statuses !== undefined) query = query.where('status', 'in', statuses);
    if (filter.limit !== undefined) query = query.limit(filter.limit);
    return (await query.execute()).map(toDelivery);
  } catch (error) {
    throw toStoreError('listing notification deliveries', error);
  }
}
