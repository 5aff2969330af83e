// Typed errors of matrix expansion: every failure leaving src/pipeline/matrix/ is a MatrixError.
import { type KindTable, SlipwayError } from '../../errors/slipway-error.js';

/** Stable machine-readable reasons a matrix cannot be expanded. */
export type MatrixErrorCode = 'MATRIX_TOO_LARGE';

const KINDS: KindTable<MatrixErrorCode> = {
  MATRIX_TOO_LARGE: 'invalid',
};

/** Error thrown by matrix expansion; `code` is stable and safe to branch on. */
export class MatrixError extends SlipwayError<MatrixErrorCode> {
  override readonly name = 'MatrixError';
  constructor(code: MatrixErrorCode, message: string, options?: { readonly cause?: unknown }) {
    super(code, KINDS[code], message, options);
  }
}
