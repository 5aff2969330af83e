// Typed errors of secrets handling: every failure leaving src/pipeline/secrets/ is a SecretsError.

/** Stable machine-readable reasons secrets cannot be loaded. */
export type SecretsErrorCode = 'SECRETS_FILE_MALFORMED' | 'SECRETS_FILE_UNREADABLE';

/** Error thrown when loading secrets; messages never contain a secret value. */
export class SecretsError extends Error {
  override readonly name = 'SecretsError';
  /** Stable reason, safe to branch on. */
  readonly code: SecretsErrorCode;
  /** The secrets file concerned. */
  readonly path: string;
  /** 1-based line of a malformed entry. */
  readonly line: number | undefined;

  constructor(
    code: SecretsErrorCode,
    message: string,
    details: { readonly path: string; readonly line?: number; readonly cause?: unknown },
  ) {
    super(message, details.cause === undefined ? {} : { cause: details.cause });
    this.code = code;
    this.path = details.path;
    this.line = details.line;
  }
}
