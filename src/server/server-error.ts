// Typed errors of the server itself, starting or reading its own config (request errors are ApiError).
import { type KindTable, SlipwayError } from '../errors/slipway-error.js';

/** Why the server cannot start, or cannot serve a request, as asked. */
export type ServerErrorCode =
  | 'INSECURE_HOST'
  | 'BAD_PORT'
  | 'BAD_TLS'
  | 'LISTEN_FAILED'
  | 'BAD_WEBHOOK_SECRET'
  | 'CONFIG_NOT_FOUND'
  | 'CONFIG_UNREADABLE';

// Flags of `slipway server` are the operator's to fix. The server's own slipway.yaml missing or
// unreadable is not the fault of the client whose request needed it: the server is not ready.
const KINDS: KindTable<ServerErrorCode> = {
  INSECURE_HOST: 'usage',
  BAD_PORT: 'usage',
  BAD_TLS: 'usage',
  LISTEN_FAILED: 'usage',
  BAD_WEBHOOK_SECRET: 'usage',
  CONFIG_NOT_FOUND: 'unavailable',
  CONFIG_UNREADABLE: 'unavailable',
};

/** A server that cannot start, or serve a request, as asked. */
export class ServerError extends SlipwayError<ServerErrorCode> {
  override readonly name = 'ServerError';
  constructor(code: ServerErrorCode, message: string, options?: { readonly cause?: unknown }) {
    super(code, KINDS[code], message, options);
  }
}
