/**
 * The contract of a notification channel: send one notification to one destination (a Slack
 * webhook, mailboxes, a GitHub repository, a generic webhook). Delivery policy (retries, queues,
 * subscriptions) lives with the caller; a channel only sends once and says how it failed.
 */
import type { FindingOperations } from '../store/stored-findings.js';
import type { Notification } from './notification.js';

/** The kinds of channel Slipway can send to. */
export type ChannelKind = 'slack' | 'email' | 'github' | 'webhook';

/** One destination notifications are sent to. */
export interface NotificationChannel {
  readonly kind: ChannelKind;
  /**
   * Sends `n` once. `idempotencyKey` is the same on every retry of one delivery, so a receiver can
   * drop duplicates. Throws `NotificationError` (its `retryable` says whether to try again).
   */
  send(n: Notification, idempotencyKey: string, signal?: AbortSignal): Promise<void>;
}

/** What every channel is given from outside, so tests control time. */
export interface ChannelDeps {
  /** Epoch milliseconds now; turns an HTTP-date `Retry-After` into a delay. */
  readonly now: () => number;
  /**
   * The stored findings a GitHub channel with `codeScanning` uploads, read when the upload is sent
   * (so a retry needs nothing from the job's workspace); without it, such an upload fails for good.
   */
  readonly findings?: Pick<FindingOperations, 'listFindings'>;
}
