/** Typed errors of fleet deploys: a host of a region that failed (named), and what a fleet cannot do. */
import { type ErrorKind, isSlipwayError, type KindTable, SlipwayError } from '../../errors/slipway-error.js';

/** Why a fleet operation cannot be done; a host's own error keeps its code instead (see `hostFailed`). */
export type FleetErrorCode = 'HOST_FAILED' | 'REVISION_MISMATCH' | 'NO_HOSTS' | 'REGION_UNKNOWN';

const KINDS: KindTable<FleetErrorCode> = {
  HOST_FAILED: 'unavailable',
  REVISION_MISMATCH: 'failed',
  NO_HOSTS: 'invalid',
  REGION_UNKNOWN: 'usage',
};

/**
 * A fleet error. When a host failed, `host` names it and `code`/`kind` are the host's own error's
 * when that was a Slipway error (a PlatformError's REVISION_NOT_FOUND stays one), so boundaries
 * map it as they would the host's error; `cause` keeps the original.
 */
export class FleetError extends SlipwayError<string> {
  override readonly name = 'FleetError';
  readonly host?: string;
  constructor(
    code: FleetErrorCode | (string & {}),
    message: string,
    options?: { readonly cause?: unknown; readonly host?: string; readonly kind?: ErrorKind },
  ) {
    super(code, options?.kind ?? kindOf(code), message, options);
    if (options?.host !== undefined) this.host = options.host;
  }
}

/** `error`, thrown by `host`, as a FleetError whose message starts with the host's name. */
export function hostFailed(host: string, error: unknown): FleetError {
  const message = error instanceof Error ? error.message : String(error);
  // SSH errors already name the host (`Cannot reach host euw-a (root@...)`): not twice.
  const text = message.includes(`host ${host} (`) ? message : `host ${host}: ${message}`;
  if (isSlipwayError(error))
    return new FleetError(error.code, text, { cause: error, host, kind: error.kind });
  return new FleetError('HOST_FAILED', text, { cause: error, host });
}

function kindOf(code: string): ErrorKind {
  return (KINDS as Readonly<Record<string, ErrorKind | undefined>>)[code] ?? 'failed';
}
