// Typed errors of matrix expansion: every failure leaving src/pipeline/matrix/ is a MatrixError.

/** Stable machine-readable reasons a matrix cannot be expanded. */
export type MatrixErrorCode = 'MATRIX_TOO_LARGE';

/** Error thrown by matrix expansion; `code` is stable and safe to branch on. */
export class MatrixError extends Error {
  override readonly name = 'MatrixError';
  /** Stable reason, safe to branch on. */
  readonly code: MatrixErrorCode;

  constructor(code: MatrixErrorCode, message: string, options?: { readonly cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
