/**
 * Typed errors of the notification channels. A failed send says whether trying again later can
 * help (`retryable`), and how long the receiver asked to wait (`retryAfterMs`), so the caller's
 * delivery loop decides without knowing which channel failed.
 */
import { type KindTable, SlipwayError } from '../errors/slipway-error.js';

/** Why one notification did not reach its channel. */
export type NotificationErrorCode =
  | 'NETWORK_ERROR'
  | 'TIMEOUT'
  | 'SERVER_ERROR'
  | 'RATE_LIMITED'
  | 'REJECTED'
  | 'BAD_CONFIG'
  | 'MISSING_FIELD'
  | 'UNSUPPORTED_TRIGGER'
  | 'SOURCE_UNAVAILABLE'
  | 'CANCELLED';

const KINDS: KindTable<NotificationErrorCode> = {
  NETWORK_ERROR: 'unavailable',
  TIMEOUT: 'unavailable',
  SERVER_ERROR: 'unavailable',
  RATE_LIMITED: 'unavailable',
  REJECTED: 'failed',
  BAD_CONFIG: 'invalid',
  MISSING_FIELD: 'invalid',
  UNSUPPORTED_TRIGGER: 'invalid',
  SOURCE_UNAVAILABLE: 'unavailable',
  CANCELLED: 'failed',
};

const RETRYABLE: Readonly<Record<NotificationErrorCode, boolean>> = {
  NETWORK_ERROR: true,
  TIMEOUT: true,
  SERVER_ERROR: true,
  RATE_LIMITED: true,
  REJECTED: false,
  BAD_CONFIG: false,
  MISSING_FIELD: false,
  UNSUPPORTED_TRIGGER: false,
  // What a notification is made from (a job's stored findings) could not be read this time.
  SOURCE_UNAVAILABLE: true,
  CANCELLED: false,
};

/** What a channel knows about a failure beyond its code. */
export interface NotificationErrorDetails {
  /** The HTTP status (or SMTP reply code) the receiver answered with, if it answered. */
  readonly status?: number;
  /** How long the receiver asked to wait before the next try (from `Retry-After`). */
  readonly retryAfterMs?: number;
  /** The original failure, already stripped of secrets (see `safeCause`). */
  readonly cause?: unknown;
}

/** A notification that could not be delivered; never carries a webhook URL, token or password. */
export class NotificationError extends SlipwayError<NotificationErrorCode> {
  override readonly name = 'NotificationError';
  /** True when the same send may succeed later (network, timeout, 5xx, 429). */
  readonly retryable: boolean;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(code: NotificationErrorCode, message: string, details: NotificationErrorDetails = {}) {
    super(code, KINDS[code], message, details.cause === undefined ? undefined : { cause: details.cause });
    this.retryable = RETRYABLE[code];
    this.status = details.status;
    this.retryAfterMs = details.retryAfterMs;
  }
}
