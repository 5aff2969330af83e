/** Typed errors of the CLI's server client, and the exit code each one means. */
import { ExitCode } from '../exit-codes.js';

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

/**
 * An error talking to a server. Exit codes: usage mistakes (a bad URL, no token, a local-only
 * command, and 4xx answers other than 401/403: a bad request, unknown run, conflict, invalid config)
 * exit 2 like their local counterparts; refused credentials (401, 403), an unreachable server,
 * 5xx answers and malformed responses exit 1.
 */
export class RemoteError extends Error {
  override readonly name = 'RemoteError';
  constructor(
    readonly code: RemoteErrorCode,
    message: string,
    options?: { cause?: unknown; status?: number; apiCode?: string },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.status = options?.status;
    this.apiCode = options?.apiCode;
  }

  /** The HTTP status, for `HTTP` errors. */
  readonly status: number | undefined;
  /** The API's stable error code (`FORBIDDEN`, `RUN_NOT_FOUND`...), for `HTTP` errors. */
  readonly apiCode: string | undefined;

  /** The exit code the CLI ends with for this error. */
  get exitCode(): number {
    switch (this.code) {
      case 'BAD_URL':
      case 'NO_TOKEN':
      case 'LOCAL_ONLY':
        return ExitCode.Usage;
      case 'HTTP': {
        const status = this.status ?? 500;
        if (status === 401 || status === 403) return ExitCode.Failed;
        return status >= 400 && status < 500 ? ExitCode.Usage : ExitCode.Failed;
      }
      default:
        return ExitCode.Failed;
    }
  }
}
