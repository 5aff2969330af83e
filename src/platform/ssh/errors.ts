/** Typed errors of reaching hosts over SSH; every message names the host it is about. */
import { type KindTable, SlipwayError } from '../../errors/slipway-error.js';

/** Why talking to a host over SSH failed. */
export type SshErrorCode =
  | 'SSH_BAD_TARGET'
  | 'SSH_CLIENT_MISSING'
  | 'SSH_HOST_UNREACHABLE'
  | 'SSH_HOST_KEY_UNKNOWN'
  | 'SSH_HOST_KEY_CHANGED'
  | 'SSH_HOST_KEY_MISMATCH'
  | 'SSH_AUTH_FAILED'
  | 'SSH_CONNECTION_LOST'
  | 'SSH_FAILED'
  | 'SSH_COMMAND_FAILED'
  | 'SSH_COMMAND_TIMEOUT'
  | 'SSH_COMMAND_ABORTED'
  | 'SSH_OUTPUT_TOO_LARGE'
  | 'SSH_COPY_FAILED'
  | 'SSH_TRANSPORT_CLOSED';

const KINDS: KindTable<SshErrorCode> = {
  SSH_BAD_TARGET: 'usage',
  SSH_CLIENT_MISSING: 'unavailable',
  SSH_HOST_UNREACHABLE: 'unavailable',
  SSH_HOST_KEY_UNKNOWN: 'invalid',
  SSH_HOST_KEY_CHANGED: 'conflict',
  SSH_HOST_KEY_MISMATCH: 'conflict',
  SSH_AUTH_FAILED: 'invalid',
  SSH_CONNECTION_LOST: 'unavailable',
  SSH_FAILED: 'failed',
  SSH_COMMAND_FAILED: 'failed',
  SSH_COMMAND_TIMEOUT: 'failed',
  SSH_COMMAND_ABORTED: 'failed',
  SSH_OUTPUT_TOO_LARGE: 'failed',
  SSH_COPY_FAILED: 'failed',
  SSH_TRANSPORT_CLOSED: 'internal',
};

/** What a failed remote command left behind, for `SSH_COMMAND_FAILED`. */
export interface RemoteFailure {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** A host that could not be reached, trusted, logged into, or whose command failed. */
export class SshError extends SlipwayError<SshErrorCode> {
  override readonly name = 'SshError';
  /** The target's `name`, so a caller handling many hosts knows which one failed. */
  readonly host: string;
  /** ssh's own last words (its stderr), when ssh itself failed. */
  readonly sshMessage: string | undefined;
  /** The exit code and output of a remote command that failed (`SSH_COMMAND_FAILED`). */
  readonly remote: RemoteFailure | undefined;

  constructor(
    code: SshErrorCode,
    host: string,
    message: string,
    options?: {
      readonly cause?: unknown;
      readonly sshMessage?: string | undefined;
      readonly remote?: RemoteFailure | undefined;
    },
  ) {
    super(code, KINDS[code], message, options);
    this.host = host;
    this.sshMessage = options?.sshMessage;
    this.remote = options?.remote;
  }
}
