/** Typed errors of the platform domain that reach the user. */
import { type ErrorKind, type KindTable, SlipwayError } from '../errors/slipway-error.js';

/** Why a platform operation cannot be done. */
export type PlatformErrorCode =
  | 'SERVICE_NOT_FOUND'
  | 'REVISION_NOT_FOUND'
  | 'SOURCE_NOT_FOUND'
  | 'PORT_IN_USE'
  | 'BAD_REQUEST'
  | 'AGENT_UNAVAILABLE'
  | 'AGENT_RUNNING'
  | 'SECRET_MISSING'
  | 'SECRETS_UNSUPPORTED';

const KINDS: KindTable<PlatformErrorCode> = {
  SERVICE_NOT_FOUND: 'not_found',
  REVISION_NOT_FOUND: 'not_found',
  SOURCE_NOT_FOUND: 'not_found',
  PORT_IN_USE: 'conflict',
  BAD_REQUEST: 'usage',
  AGENT_UNAVAILABLE: 'unavailable',
  AGENT_RUNNING: 'conflict',
  SECRET_MISSING: 'usage',
  SECRETS_UNSUPPORTED: 'invalid',
};

/** A platform operation that cannot be done as asked. */
export class PlatformError extends SlipwayError<PlatformErrorCode> {
  override readonly name = 'PlatformError';
  constructor(code: PlatformErrorCode, message: string, options?: { readonly cause?: unknown }) {
    super(code, kindOfCode(code), message, options);
  }
}

function kindOfCode(code: PlatformErrorCode): ErrorKind {
  // The agent client rebuilds errors from codes read off the control socket, which no compiler
  // checked: a code this table does not know is a failure of the agent, not a bug of the caller.
  return (KINDS as Readonly<Record<string, ErrorKind | undefined>>)[code] ?? 'failed';
}
