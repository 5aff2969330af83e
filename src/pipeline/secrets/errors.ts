// Typed errors of secrets handling: every failure leaving src/pipeline/secrets/ is a SecretsError.
import { type KindTable, SlipwayError } from '../../errors/slipway-error.js';

/** Stable machine-readable reasons secrets cannot be loaded. */
export type SecretsErrorCode = 'SECRETS_FILE_MALFORMED' | 'SECRETS_FILE_UNREADABLE';

// Like a config file: a bad line is invalid content, a file that cannot be read is the user's to fix.
const KINDS: KindTable<SecretsErrorCode> = {
  SECRETS_FILE_MALFORMED: 'invalid',
  SECRETS_FILE_UNREADABLE: 'usage',
};

/** Error thrown when loading secrets; messages never contain a secret value. */
export class SecretsError extends SlipwayError<SecretsErrorCode> {
  override readonly name = 'SecretsError';
  /** The secrets file concerned. */
  readonly path: string;
  /** 1-based line of a malformed entry. */
  readonly line: number | undefined;

  constructor(
    code: SecretsErrorCode,
    message: string,
    details: { readonly path: string; readonly line?: number; readonly cause?: unknown },
  ) {
    super(code, KINDS[code], message, details);
    this.path = details.path;
    this.line = details.line;
  }
}
