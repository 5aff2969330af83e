/** Typed errors of the delivery metrics and incidents that reach the user. */
import { type KindTable, SlipwayError } from '../errors/slipway-error.js';

/** Why a metrics or incident request cannot be done. */
export type MetricsErrorCode =
  | 'WINDOW_INVALID'
  | 'INCIDENT_INVALID'
  | 'INCIDENT_UNKNOWN'
  | 'INCIDENT_RESOLVED'
  | 'IMPORT_INVALID';

const KINDS: KindTable<MetricsErrorCode> = {
  WINDOW_INVALID: 'usage',
  INCIDENT_INVALID: 'invalid',
  INCIDENT_UNKNOWN: 'not_found',
  INCIDENT_RESOLVED: 'conflict',
  IMPORT_INVALID: 'invalid',
};

/** A metrics or incident request that cannot be done. */
export class MetricsError extends SlipwayError<MetricsErrorCode> {
  override readonly name = 'MetricsError';
  constructor(code: MetricsErrorCode, message: string, options?: { readonly cause?: unknown }) {
    super(code, KINDS[code], message, options);
  }
}
