// Typed errors of the expression language: every failure leaving this folder is an ExpressionError.
import { type KindTable, SlipwayError } from '../errors/slipway-error.js';

/** Stable machine-readable reasons an expression cannot be parsed or evaluated. */
export type ExpressionErrorCode =
  | 'EXPRESSION_SYNTAX'
  | 'EXPRESSION_UNKNOWN_FUNCTION'
  | 'EXPRESSION_ARGUMENTS'
  | 'EXPRESSION_LIMIT'
  | 'EXPRESSION_UNSUPPORTED'
  | 'EXPRESSION_EVALUATION';

// An expression is part of the config: a bad one is invalid content; one that fails on its data failed.
const KINDS: KindTable<ExpressionErrorCode> = {
  EXPRESSION_SYNTAX: 'invalid',
  EXPRESSION_UNKNOWN_FUNCTION: 'invalid',
  EXPRESSION_ARGUMENTS: 'invalid',
  EXPRESSION_LIMIT: 'invalid',
  EXPRESSION_UNSUPPORTED: 'invalid',
  EXPRESSION_EVALUATION: 'failed',
};

/** Where in the parsed text a problem sits: 0-based offset, 1-based line and column. */
export interface SourcePosition {
  readonly offset: number;
  readonly line: number;
  readonly column: number;
}

/** Error thrown by parsing and evaluation; the message ends with the position when one is known. */
export class ExpressionError extends SlipwayError<ExpressionErrorCode> {
  override readonly name = 'ExpressionError';
  /** The problem without its position, for callers that print the position themselves. */
  readonly reason: string;
  /** Position in the text given to the public function (template or expression), when known. */
  readonly position: SourcePosition | undefined;

  constructor(
    code: ExpressionErrorCode,
    reason: string,
    options: { readonly position?: SourcePosition; readonly cause?: unknown } = {},
  ) {
    super(code, KINDS[code], withPosition(reason, options.position), options);
    this.reason = reason;
    this.position = options.position;
  }
}

function withPosition(reason: string, position: SourcePosition | undefined): string {
  if (position === undefined) return reason;
  if (position.line === 1) return `${reason} at column ${position.column}`;
  return `${reason} at line ${position.line}, column ${position.column}`;
}

/** Computes the line and column of `offset` in `text`, for error messages. */
export function positionOf(text: string, offset: number): SourcePosition {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { offset, line, column: offset - lineStart + 1 };
}

/** True when `error` is an ExpressionError, optionally with the given code. */
export function isExpressionError(error: unknown, code?: ExpressionErrorCode): error is ExpressionError {
  return error instanceof ExpressionError && (code === undefined || error.code === code);
}
