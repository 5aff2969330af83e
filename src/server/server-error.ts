// Typed errors of starting the server (the API's own request errors are ApiError in errors.ts).

/** Why the server cannot start as asked. */
export type ServerErrorCode =
  | 'INSECURE_HOST'
  | 'BAD_PORT'
  | 'BAD_TLS'
  | 'LISTEN_FAILED'
  | 'BAD_WEBHOOK_SECRET';

/** A server that cannot start as asked (exit code 2 at the CLI). */
export class ServerError extends Error {
  override readonly name = 'ServerError';
  constructor(
    readonly code: ServerErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
