// Parses expression text with GitHub's own lexer and parser (@actions/expressions) into ExpressionErrors with positions.
import { ExpressionError as ActionsSyntaxError, data, type Expr, Lexer, Parser } from '@actions/expressions';
import { Literal } from '@actions/expressions/ast';
import { ErrorType } from '@actions/expressions/errors';
import { ExpressionError, type ExpressionErrorCode, positionOf } from './errors.js';
import { SLIPWAY_FUNCTIONS } from './functions.js';

export type { Expr } from '@actions/expressions';

/** Deepest nesting the parser accepts, as in GitHub Actions. */
export const MAX_EXPRESSION_DEPTH = 50;
/** Longest expression text accepted, as in GitHub Actions. */
export const MAX_EXPRESSION_LENGTH = 21_000;

/** The contexts a Slipway expression may read; any other name is a syntax error, as in Actions. */
export const SLIPWAY_CONTEXTS: readonly string[] = [
  'needs',
  'matrix',
  'env',
  'git',
  'run',
  'inputs',
  'secrets',
];

/** What a parse may see beyond Slipway's own contexts. */
export interface ParseOptions {
  /** Context names to accept instead of Slipway's. */
  readonly contexts?: readonly string[];
}

const CODES: Readonly<Record<ErrorType, ExpressionErrorCode>> = {
  [ErrorType.ErrorUnexpectedSymbol]: 'EXPRESSION_SYNTAX',
  [ErrorType.ErrorUnrecognizedNamedValue]: 'EXPRESSION_SYNTAX',
  [ErrorType.ErrorUnexpectedEndOfExpression]: 'EXPRESSION_SYNTAX',
  [ErrorType.ErrorExceededMaxDepth]: 'EXPRESSION_LIMIT',
  [ErrorType.ErrorExceededMaxLength]: 'EXPRESSION_LIMIT',
  [ErrorType.ErrorTooFewParameters]: 'EXPRESSION_ARGUMENTS',
  [ErrorType.ErrorTooManyParameters]: 'EXPRESSION_ARGUMENTS',
  [ErrorType.ErrorEvenParameters]: 'EXPRESSION_ARGUMENTS',
  [ErrorType.ErrorUnrecognizedContext]: 'EXPRESSION_SYNTAX',
  [ErrorType.ErrorUnrecognizedFunction]: 'EXPRESSION_UNKNOWN_FUNCTION',
};

// The lexer reports its errors only in the message text, as a 1-based offset.
const LEXER_POSITION_RE = /^(.*)\. Located at position (\d+) within expression: /s;

/** Parses `text.slice(start, end)`; error positions are given relative to all of `text`. */
export function parseRange(text: string, start: number, end: number, options: ParseOptions = {}): Expr {
  const source = text.slice(start, end);
  const fail = (code: ExpressionErrorCode, reason: string, at: number, cause?: unknown): never => {
    throw new ExpressionError(code, reason, { position: positionOf(text, start + at), cause });
  };
  if (source.length > MAX_EXPRESSION_LENGTH) {
    fail('EXPRESSION_LIMIT', `expression is longer than ${MAX_EXPRESSION_LENGTH} characters`, 0);
  }
  let tokens: ReturnType<Lexer['lex']>['tokens'];
  try {
    tokens = new Lexer(source).lex().tokens;
  } catch (error) {
    const match = LEXER_POSITION_RE.exec((error as Error).message);
    return fail(
      'EXPRESSION_SYNTAX',
      match?.[1] ?? (error as Error).message,
      Number(match?.[2] ?? 1) - 1,
      error,
    );
  }
  try {
    const parser = new Parser(tokens, [...(options.contexts ?? SLIPWAY_CONTEXTS)], [...SLIPWAY_FUNCTIONS]);
    // An empty expression parses to nothing; Actions evaluates it as null. The last token is always EOF.
    return parser.parse() ?? new Literal(new data.Null(), tokens[tokens.length - 1]!);
  } catch (error) {
    if (!(error instanceof ActionsSyntaxError)) throw error;
    // The package keeps the error type private; it is the only way to tell arity errors from syntax errors.
    const type = (error as unknown as { readonly typ: ErrorType }).typ;
    return fail(CODES[type] ?? 'EXPRESSION_SYNTAX', error.message, offsetOf(source, error.pos), error);
  }
}

// Converts the parser's 0-based line and column into an offset in `source`.
function offsetOf(source: string, pos: { readonly line: number; readonly column: number }): number {
  let lineStart = 0;
  for (let line = 0; line < pos.line; line++) {
    const newline = source.indexOf('\n', lineStart);
    if (newline === -1) break;
    lineStart = newline + 1;
  }
  return lineStart + pos.column;
}

/** Parses a whole expression (without `${{ }}`); throws ExpressionError with its position. */
export function parseExpression(source: string, options: ParseOptions = {}): Expr {
  return parseRange(source, 0, source.length, options);
}

/** The ExpressionError that parsing `source` raises, or undefined when it parses. */
export function checkExpression(source: string, options: ParseOptions = {}): ExpressionError | undefined {
  try {
    parseExpression(source, options);
    return undefined;
  } catch (error) {
    if (error instanceof ExpressionError) return error;
    throw error;
  }
}
