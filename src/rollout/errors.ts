/** Typed errors of the rollout domain that reach the user. */
import { type KindTable, SlipwayError } from '../errors/slipway-error.js';

/** Why a rollout command cannot do what was asked. */
export type RolloutErrorCode =
  | 'SERVICE_UNKNOWN'
  | 'ENVIRONMENT_UNKNOWN'
  | 'ROLLOUT_ACTIVE'
  | 'NO_ROLLOUT'
  | 'NOTHING_TO_ROLL_BACK_TO'
  | 'ENDPOINT_UNAVAILABLE'
  | 'CONFIG_VERSION_UNAVAILABLE'
  | 'SCHEMA_CONTRACTED'
  | 'NO_DOWN_MIGRATION';

const KINDS: KindTable<RolloutErrorCode> = {
  SERVICE_UNKNOWN: 'not_found',
  ENVIRONMENT_UNKNOWN: 'not_found',
  ROLLOUT_ACTIVE: 'conflict',
  NO_ROLLOUT: 'conflict',
  NOTHING_TO_ROLL_BACK_TO: 'conflict',
  ENDPOINT_UNAVAILABLE: 'unavailable',
  CONFIG_VERSION_UNAVAILABLE: 'conflict',
  SCHEMA_CONTRACTED: 'conflict',
  NO_DOWN_MIGRATION: 'conflict',
};

/** A rollout command that cannot be done. */
export class RolloutError extends SlipwayError<RolloutErrorCode> {
  override readonly name = 'RolloutError';
  constructor(code: RolloutErrorCode, message: string, options?: { readonly cause?: unknown }) {
    super(code, KINDS[code], message, options);
  }
}
