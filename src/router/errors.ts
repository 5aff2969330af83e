// Typed errors of the traffic router: every failure leaving src/router/ is a RouterError with a stable code.
import { type KindTable, SlipwayError } from '../errors/slipway-error.js';

/** Stable machine-readable reasons a router operation can fail. */
export type RouterErrorCode =
  | 'port_in_use'
  | 'listen_failed'
  | 'invalid_options'
  | 'invalid_table'
  | 'closed';

// Options and route tables are the caller's to get right; a port taken by someone else or a closed
// router is a state the request collides with.
const KINDS: KindTable<RouterErrorCode> = {
  port_in_use: 'conflict',
  listen_failed: 'failed',
  invalid_options: 'usage',
  invalid_table: 'usage',
  closed: 'conflict',
};

/** Error thrown or rejected by Router operations; `code` is stable, `cause` keeps the system error. */
export class RouterError extends SlipwayError<RouterErrorCode> {
  override readonly name = 'RouterError';
  constructor(code: RouterErrorCode, message: string, options?: { readonly cause?: unknown }) {
    super(code, KINDS[code], message, options);
  }
}

/** True when `error` is a RouterError, optionally with the given code. */
export function isRouterError(error: unknown, code?: RouterErrorCode): error is RouterError {
  return error instanceof RouterError && (code === undefined || error.code === code);
}
