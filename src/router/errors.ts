// Typed errors of the traffic router: every failure leaving src/router/ is a RouterError with a stable code.

/** Stable machine-readable reasons a router operation can fail. */
export type RouterErrorCode =
  | 'port_in_use'
  | 'listen_failed'
  | 'invalid_options'
  | 'invalid_table'
  | 'closed';

/** Error thrown or rejected by Router operations; `code` is stable, `cause` keeps the system error. */
export class RouterError extends Error {
  override readonly name = 'RouterError';
  /** Stable reason, safe to branch on. */
  readonly code: RouterErrorCode;

  constructor(code: RouterErrorCode, message: string, options?: { readonly cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** True when `error` is a RouterError, optionally with the given code. */
export function isRouterError(error: unknown, code?: RouterErrorCode): error is RouterError {
  return error instanceof RouterError && (code === undefined || error.code === code);
}
