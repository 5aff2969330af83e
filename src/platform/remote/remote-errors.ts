/** Typed errors of running services on a host reached over SSH; every message names the host. */
import { type KindTable, SlipwayError } from '../../errors/slipway-error.js';

/** Why a remote host's agent could not be used. */
export type RemoteHostErrorCode =
  /** `<dir>/current` is missing: `slipway host setup HOST` was never run (or failed). */
  | 'REMOTE_NOT_SET_UP'
  /** The agent did not start, or its installed Slipway does not run. */
  | 'REMOTE_AGENT_FAILED'
  /** The host answered something the scripts did not expect. */
  | 'REMOTE_PROTOCOL';

const KINDS: KindTable<RemoteHostErrorCode> = {
  REMOTE_NOT_SET_UP: 'unavailable',
  REMOTE_AGENT_FAILED: 'failed',
  REMOTE_PROTOCOL: 'failed',
};

/** A host whose Slipway agent is missing, does not start, or answers unexpectedly. */
export class RemoteHostError extends SlipwayError<RemoteHostErrorCode> {
  override readonly name = 'RemoteHostError';
  /** The host's name in Slipway. */
  readonly host: string;

  constructor(
    code: RemoteHostErrorCode,
    host: string,
    message: string,
    options?: { readonly cause?: unknown },
  ) {
    super(code, KINDS[code], message, options);
    this.host = host;
  }
}
