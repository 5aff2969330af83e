/** Typed errors of fleet failover: bad input to the planner, and what the loop reports instead of throwing. */
import { type KindTable, SlipwayError } from '../../errors/slipway-error.js';

/** Why failover could not do something. */
export type FailoverErrorCode =
  | 'invalid_shares'
  | 'status_failed'
  | 'readiness_failed'
  | 'apply_failed'
  | 'record_failed'
  | 'round_failed';

// Shares come from a checked config, so bad ones are the config's fault; the rest are the edge
// or the store failing to answer, which the loop reports and retries on its next round; a round
// that throws anything else is a bug, reported so that the loop still goes on.
const KINDS: KindTable<FailoverErrorCode> = {
  invalid_shares: 'invalid',
  status_failed: 'unavailable',
  readiness_failed: 'unavailable',
  apply_failed: 'failed',
  record_failed: 'failed',
  round_failed: 'internal',
};

/** A failover error; `cause` keeps the director's or store's own error. */
export class FailoverError extends SlipwayError<FailoverErrorCode> {
  override readonly name = 'FailoverError';
  constructor(code: FailoverErrorCode, message: string, options?: { readonly cause?: unknown }) {
    super(code, KINDS[code], message, options);
  }
}
