/** Typed errors of feature flags: definitions, changes and rollouts. */
import { type KindTable, SlipwayError } from '../errors/slipway-error.js';

/** Why a flag request cannot be done. */
export type FlagErrorCode =
  | 'FLAG_DEFINITION_INVALID'
  | 'FLAG_UNKNOWN'
  | 'FLAG_VARIANT_UNKNOWN'
  | 'FLAG_WEIGHTS_INVALID'
  | 'FLAG_VERSION_UNKNOWN'
  | 'FLAG_CHANGE_CONFLICT'
  | 'FLAG_PROVIDER_FAILED'
  | 'FLAG_ROLLOUT_INVALID';

const KINDS: KindTable<FlagErrorCode> = {
  FLAG_DEFINITION_INVALID: 'invalid',
  FLAG_UNKNOWN: 'not_found',
  FLAG_VARIANT_UNKNOWN: 'usage',
  FLAG_WEIGHTS_INVALID: 'usage',
  FLAG_VERSION_UNKNOWN: 'not_found',
  FLAG_CHANGE_CONFLICT: 'conflict',
  FLAG_PROVIDER_FAILED: 'failed',
  FLAG_ROLLOUT_INVALID: 'invalid',
};

/** A flag request that cannot be done. */
export class FlagError extends SlipwayError<FlagErrorCode> {
  override readonly name = 'FlagError';
  constructor(code: FlagErrorCode, message: string, options?: { readonly cause?: unknown }) {
    super(code, KINDS[code], message, options);
  }
}
