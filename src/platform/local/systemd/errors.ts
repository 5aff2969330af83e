/** Typed errors of writing systemd units for the agent. */
import { type KindTable, SlipwayError } from '../../../errors/slipway-error.js';

/** Why the agent's units cannot be written. */
export type SystemdUnitErrorCode =
  | 'UNIT_VALUE_INVALID'
  | 'UNIT_CONFLICT'
  | 'NO_SERVICES'
  | 'UNIT_WRITE_FAILED';

const KINDS: KindTable<SystemdUnitErrorCode> = {
  UNIT_VALUE_INVALID: 'invalid',
  UNIT_CONFLICT: 'conflict',
  NO_SERVICES: 'invalid',
  UNIT_WRITE_FAILED: 'failed',
};

/** The agent's systemd units cannot be generated or written as asked. */
export class SystemdUnitError extends SlipwayError<SystemdUnitErrorCode> {
  override readonly name = 'SystemdUnitError';
  constructor(code: SystemdUnitErrorCode, message: string, options?: { readonly cause?: unknown }) {
    super(code, KINDS[code], message, options);
  }
}
