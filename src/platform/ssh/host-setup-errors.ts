/** Typed errors of preparing a host for Slipway (`slipway host setup`); every message names the host. */
import { type KindTable, SlipwayError } from '../../errors/slipway-error.js';

/** Why a host could not be set up. */
export type HostSetupErrorCode =
  | 'HOST_SETUP_NOT_READY'
  | 'HOST_SETUP_CHECK_FAILED'
  | 'HOST_SETUP_VERSION_MISMATCH';

const KINDS: KindTable<HostSetupErrorCode> = {
  HOST_SETUP_NOT_READY: 'unavailable',
  HOST_SETUP_CHECK_FAILED: 'failed',
  HOST_SETUP_VERSION_MISMATCH: 'failed',
};

/** A host that lacks what Slipway needs, or whose installed Slipway does not run as expected. */
export class HostSetupError extends SlipwayError<HostSetupErrorCode> {
  override readonly name = 'HostSetupError';
  readonly host: string;
  /** What the host lacks (`Node.js >= 20`, `sha256sum`, ...), for `HOST_SETUP_NOT_READY`. */
  readonly missing: readonly string[];

  constructor(
    code: HostSetupErrorCode,
    host: string,
    message: string,
    options?: { readonly cause?: unknown; readonly missing?: readonly string[] },
  ) {
    super(code, KINDS[code], message, options);
    this.host = host;
    this.missing = options?.missing ?? [];
  }
}
