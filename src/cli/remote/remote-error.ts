/** Typed errors of the CLI's server client, and the kind (so the exit code) each one is. */
import { kindOfHttpStatus } from '../../errors/http-status.js';
import { type ErrorKind, type KindTable, SlipwayError } from '../../errors/slipway-error.js';
import { EXIT_CODE_OF_KIND } from '../exit-codes.js';

/** Why a command against a Slipway server failed. */
export type RemoteErrorCode =
  /** `--server` / SLIPWAY_SERVER is not an http(s) URL. */
  | 'BAD_URL'
  /** `--server` is set but SLIPWAY_TOKEN is not. */
  | 'NO_TOKEN'
  /** The command (or one of its flags) has no server equivalent. */
  | 'LOCAL_ONLY'
  /** The server could not be reached (refused, DNS, TLS, timeout, dropped). */
  | 'UNREACHABLE'
  /** The server answered with an error status; `status` and `apiCode` say which. */
  | 'HTTP'
  /** The server answered something that is not the API's JSON. */
  | 'BAD_RESPONSE';

// An `HTTP` error is whatever the server's status says it is (see kindOfHttpStatus).
const KINDS: KindTable<Exclude<RemoteErrorCode, 'HTTP'>> = {
  BAD_URL: 'usage',
  NO_TOKEN: 'usage',
  LOCAL_ONLY: 'usage',
  UNREACHABLE: 'unavailable',
  BAD_RESPONSE: 'unavailable',
};

/**
 * An error talking to a server. Usage mistakes (a bad URL, no token, a local-only command) and
 * 4xx answers other than 401/403 (a bad request, unknown run, conflict, invalid config) are the
 * kinds of their local counterparts; refused credentials (401, 403), an unreachable server, 5xx
 * answers and malformed responses are failures or unavailability.
 */
export class RemoteError extends SlipwayError<RemoteErrorCode> {
  override readonly name = 'RemoteError';
  /** The HTTP status, for `HTTP` errors. */
  readonly status: number | undefined;
  /** The API's stable error code (`FORBIDDEN`, `RUN_NOT_FOUND`...), for `HTTP` errors. */
  readonly apiCode: string | undefined;

  constructor(
    code: RemoteErrorCode,
    message: string,
    options?: { readonly cause?: unknown; readonly status?: number; readonly apiCode?: string },
  ) {
    super(code, kindOfRemote(code, options?.status), message, options);
    this.status = options?.status;
    this.apiCode = options?.apiCode;
  }

  /** The exit code the CLI ends with for this error: the one its kind gets. */
  get exitCode(): number {
    return EXIT_CODE_OF_KIND[this.kind];
  }
}

function kindOfRemote(code: RemoteErrorCode, status: number | undefined): ErrorKind {
  return code === 'HTTP' ? kindOfHttpStatus(status ?? 500) : KINDS[code];
}
