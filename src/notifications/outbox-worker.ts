/**
 * The worker that empties the notification outbox: it leases due deliveries from the store, sends
 * each through its channel with the delivery's idempotency key, and records the outcome: delivered,
 * retried later with back-off (retry-policy.ts), or failed for good. Any number of workers, in one
 * server or several, may share one store: a lease keeps a delivery with one of them at a time, and
 * a lease left by a killed worker runs out and another one takes the delivery over.
 */
import type {
  NotificationDelivery,
  NotificationDeliveryOperations,
} from '../store/notification-deliveries.js';
import { type WaitingClock, wallClock } from '../store/waiting-clock.js';
import type { NotificationChannel } from './channel.js';
import type { Notification } from './notification.js';
import { notificationOf } from './outbox.js';
import { recordedFailure } from './outbox-failure.js';
import { DEFAULT_RETRY_POLICY, decideRetry, type RetryPolicy } from './retry-policy.js';

/** Where the worker reports; the server's logger fits. Messages never hold a secret. */
export interface OutboxLogger {
  info(message: string): void;
  error(message: string): void;
}

/** The worker's time: now, and a wait that ends early when its signal aborts. */
export type OutboxClock = WaitingClock;

/** What the worker is wired to. */
export interface OutboxWorkerDeps {
  readonly store: NotificationDeliveryOperations;
  /** The channels this worker sends to, by their names in the config; it claims only their deliveries. */
  readonly channels: ReadonlyMap<string, NotificationChannel>;
  readonly clock: OutboxClock;
  readonly logger: OutboxLogger;
  /** This worker as a lease holder, e.g. `leaseOwnerId()`: unique among the workers sharing the store. */
  readonly owner: string;
  /** The jitter source, in [0, 1); Math.random unless a test fixes it. */
  readonly random?: () => number;
}

/** How the worker paces itself; the defaults suit production. */
export interface OutboxWorkerOptions {
  readonly retry?: RetryPolicy;
  /**
   * How long a claimed delivery stays with this worker. A send is cut off at three quarters of it,
   * so the outcome is recorded before another worker may take the delivery over (default 60 s;
   * keep it well above the channels' timeouts).
   */
  readonly leaseMs?: number;
  /** Sends under way at once (default 8). */
  readonly concurrency?: number;
  /** How often an idle worker looks for due deliveries (default 1 s). */
  readonly pollMs?: number;
}

const DEFAULTS = { leaseMs: 60_000, concurrency: 8, pollMs: 1_000 } as const;
/** Tries at recording a delivered outcome before leaving it to the lease (a resend) to sort out. */
const RECORD_TRIES = 3;
const LEASE_LOST = 'the lease had run out and another worker took the delivery over';

/** Sends the outbox's due deliveries until stopped. */
export class OutboxWorker {
  readonly #deps: OutboxWorkerDeps;
  readonly #retry: RetryPolicy;
  readonly #leaseMs: number;
  readonly #sendBudgetMs: number;
  readonly #concurrency: number;
  readonly #pollMs: number;
  readonly #random: () => number;

  constructor(deps: OutboxWorkerDeps, options: OutboxWorkerOptions = {}) {
    this.#deps = deps;
    this.#retry = options.retry ?? DEFAULT_RETRY_POLICY;
    this.#leaseMs = options.leaseMs ?? DEFAULTS.leaseMs;
    this.#sendBudgetMs = Math.floor(this.#leaseMs * 0.75);
    this.#concurrency = options.concurrency ?? DEFAULTS.concurrency;
    this.#pollMs = options.pollMs ?? DEFAULTS.pollMs;
    this.#random = deps.random ?? Math.random;
    if (!(this.#sendBudgetMs > 0 && this.#concurrency >= 1 && this.#pollMs > 0))
      throw new RangeError('the outbox worker needs a positive lease, concurrency and poll interval');
  }

  /**
   * Claims and sends until `signal` aborts, keeping up to `concurrency` sends under way; then stops
   * claiming and waits for the sends under way (each bounded by the lease) to be recorded.
   */
  async run(signal: AbortSignal): Promise<void> {
    const inFlight = new Set<Promise<void>>();
    while (!signal.aborted) {
      const free = this.#concurrency - inFlight.size;
      const claimed = free > 0 ? await this.#claim(free) : [];
      for (const delivery of claimed) {
        const sending: Promise<void> = this.#deliver(delivery).finally(() => inFlight.delete(sending));
        inFlight.add(sending);
      }
      if (free > 0 && claimed.length === free) continue; // more may be due right now
      const wake = new AbortController();
      await Promise.race([
        this.#deps.clock.sleep(this.#pollMs, AbortSignal.any([signal, wake.signal])),
        ...inFlight,
      ]);
      wake.abort();
    }
    await Promise.all(inFlight);
  }

  /** One pass: claims up to `concurrency` due deliveries, sends them and records the outcomes; returns how many. */
  async runOnce(): Promise<number> {
    const claimed = await this.#claim(this.#concurrency);
    await Promise.all(claimed.map((delivery) => this.#deliver(delivery)));
    return claimed.length;
  }

  async #claim(limit: number): Promise<NotificationDelivery[]> {
    try {
      return await this.#deps.store.claimNotificationDeliveries({
        owner: this.#deps.owner,
        limit,
        leaseMs: this.#leaseMs,
        channels: [...this.#deps.channels.keys()],
      });
    } catch (error) {
      this.#deps.logger.error(`notifications: claiming due deliveries failed: ${messageOf(error)}`);
      return [];
    }
  }

  /** Sends one claimed delivery and records its outcome; never throws. */
  async #deliver(delivery: NotificationDelivery): Promise<void> {
    const { store } = this.#deps;
    const channel = this.#deps.channels.get(delivery.channel);
    const where = `notification ${delivery.idempotencyKey} to ${delivery.channel}`;
    // Attempts that ended without an outcome (their worker died) count too, so a notification
    // that kills its worker does not take every worker down with it forever.
    let notification: Notification;
    try {
      if (channel === undefined) throw new Error(`no channel named ${delivery.channel}`);
      if (delivery.attempts > this.#retry.maxAttempts)
        throw new Error(`gave up after ${delivery.attempts - 1} attempts`);
      notification = notificationOf(delivery.payload);
    } catch (error) {
      await this.#giveUp(where, delivery, messageOf(error));
      return;
    }
    const budget = AbortSignal.timeout(this.#sendBudgetMs);
    try {
      await channel.send(notification, delivery.idempotencyKey, budget);
    } catch (error) {
      await this.#failed(where, delivery, error, budget.aborted);
      return;
    }
    // The receiver accepted the notification. Until the next statement commits, a death of this
    // process leaves the delivery `sending`; once its lease runs out another worker sends it again
    // (the one duplicate the receiver can drop by the idempotency key). Nothing else runs in between.
    await this.#record(
      where,
      () => store.markNotificationDelivered(delivery.id),
      'it was recorded already',
      RECORD_TRIES,
    );
  }

  async #giveUp(where: string, delivery: NotificationDelivery, message: string): Promise<void> {
    const { store, owner } = this.#deps;
    await this.#record(where, () => store.failNotificationDelivery(delivery.id, owner, message), LEASE_LOST);
    this.#deps.logger.error(`${where} failed for good: ${message}`);
  }

  async #failed(
    where: string,
    delivery: NotificationDelivery,
    error: unknown,
    cutOff: boolean,
  ): Promise<void> {
    const { store, owner, logger } = this.#deps;
    const failure = recordedFailure(error, cutOff, this.#sendBudgetMs);
    const decision = decideRetry(failure, delivery.attempts, this.#retry, this.#random);
    if (decision.kind === 'retry') {
      await this.#record(
        where,
        () =>
          store.retryNotificationDelivery(delivery.id, owner, {
            delayMs: decision.delayMs,
            error: failure.message,
          }),
        LEASE_LOST,
      );
      logger.info(
        `${where}: attempt ${delivery.attempts} failed (${failure.message}); next in ${decision.delayMs} ms`,
      );
      return;
    }
    await this.#giveUp(
      where,
      delivery,
      decision.reason === 'attempts'
        ? `gave up after ${delivery.attempts} attempts: ${failure.message}`
        : failure.message,
    );
  }

  /**
   * Records an outcome, trying `tries` times. A write that still fails, or one the store refuses
   * (saying `refused`), is logged and left to the lease: another worker takes the delivery over.
   */
  async #record(where: string, write: () => Promise<boolean>, refused: string, tries = 1): Promise<void> {
    for (let attempt = 1; attempt <= tries; attempt++) {
      try {
        if (!(await write())) this.#deps.logger.info(`${where}: outcome not recorded: ${refused}`);
        return;
      } catch (error) {
        if (attempt === tries)
          this.#deps.logger.error(`${where}: recording the outcome failed: ${messageOf(error)}`);
        else await this.#deps.clock.sleep(100 * attempt);
      }
    }
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The wall clock, waiting on real timers. */
export function systemOutboxClock(): OutboxClock {
  return wallClock();
}
