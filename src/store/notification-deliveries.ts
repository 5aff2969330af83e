// The notification outbox part of the store contract: one row per notification and channel, leased while it is sent.

/**
 * Where a delivery is: `pending` waits for its next attempt, `sending` is leased to one worker,
 * `delivered` and `failed` (for good) are final.
 */
export type DeliveryStatus = 'pending' | 'sending' | 'delivered' | 'failed';

/** Every delivery status, in the order a delivery goes through them. */
export const DELIVERY_STATUSES: readonly DeliveryStatus[] = ['pending', 'sending', 'delivered', 'failed'];

/** One notification queued for one channel. */
export interface NotificationDelivery {
  readonly id: number;
  /** `<event id>/<channel name>`: the same on every attempt, unique in the outbox, sent to the receiver. */
  readonly idempotencyKey: string;
  /** The name of the channel in the config. */
  readonly channel: string;
  readonly trigger: string;
  /** The notification as JSON: event data only, never a channel's URL, token or password. */
  readonly payload: Readonly<Record<string, unknown>>;
  readonly status: DeliveryStatus;
  /** Attempts started so far (a claim starts one). */
  readonly attempts: number;
  /** When a pending delivery is due. */
  readonly nextAttemptAt: number;
  /** The last failure, as the channel worded it (secrets already redacted). */
  readonly lastError: string | null;
  /** The worker sending it, and when that lease runs out; null unless `sending`. */
  readonly leaseOwner: string | null;
  readonly leaseExpiresAt: number | null;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly deliveredAt: number | null;
}

/** A delivery to queue; it is due at once unless `nextAttemptAt` says otherwise. */
export interface NewNotificationDelivery {
  readonly idempotencyKey: string;
  readonly channel: string;
  readonly trigger: string;
  readonly payload: Readonly<Record<string, unknown>>;
  readonly nextAttemptAt?: number;
}

/** What a worker asks for when it claims due deliveries. */
export interface DeliveryClaim {
  /** The lease holder, e.g. `host:pid:start`. */
  readonly owner: string;
  /** How many deliveries at most. */
  readonly limit: number;
  /** How long the lease lasts; past it, another worker may take the delivery over. */
  readonly leaseMs: number;
  /** Only deliveries of these channels (the ones the worker can send to); all when absent. */
  readonly channels?: readonly string[];
}

/** A failed attempt to try again later. */
export interface DeliveryRetry {
  /** From now, when the next attempt is due. */
  readonly delayMs: number;
  /** Why the attempt failed (already redacted). */
  readonly error: string;
}

/** Filter for listNotificationDeliveries, which returns newest first. */
export interface DeliveryFilter {
  readonly status?: DeliveryStatus | readonly DeliveryStatus[];
  readonly limit?: number;
}

/** The outbox operations of the store. */
export interface NotificationDeliveryOperations {
  /**
   * Queues a delivery; false (and nothing changes) when its idempotency key is queued already, so
   * enqueueing one event twice, from one server or two, makes one delivery. INVALID_INPUT for an
   * empty key, channel or trigger or a payload that is not a JSON object.
   */
  enqueueNotificationDelivery(input: NewNotificationDelivery): Promise<boolean>;
  /**
   * Leases up to `limit` due deliveries to `owner`, oldest due first: pending ones whose time has
   * come and `sending` ones whose lease ran out. Each becomes `sending` with one more attempt, in
   * one conditional UPDATE, so two workers never hold one delivery at once.
   */
  claimNotificationDeliveries(claim: DeliveryClaim): Promise<NotificationDelivery[]>;
  /**
   * Records that the receiver accepted the delivery, whoever holds the lease now (the receiver's
   * answer is a fact); false when it was recorded before or does not exist.
   */
  markNotificationDelivered(id: number): Promise<boolean>;
  /** Puts a delivery `owner` holds back to pending, due after `retry.delayMs`; false when `owner` lost the lease. */
  retryNotificationDelivery(id: number, owner: string, retry: DeliveryRetry): Promise<boolean>;
  /** Marks a delivery `owner` holds failed for good; false when `owner` lost the lease. */
  failNotificationDelivery(id: number, owner: string, error: string): Promise<boolean>;
  /** Lists deliveries newest first. */
  listNotificationDeliveries(filter?: DeliveryFilter): Promise<NotificationDelivery[]>;
}
