// Job `if:` conditions: written bare or wrapped in `${{ }}`, with the implicit `success() &&` of Actions.

import { usesStatusFunction } from './analysis.js';
import { isTruthyData } from './coerce.js';
import { ExpressionError, positionOf } from './errors.js';
import type { EvalContext } from './eval-context.js';
import { evaluateData } from './evaluate.js';
import { statusOf } from './functions.js';
import { type Expr, parseRange } from './parser.js';
import { findExpressions } from './template.js';

/** A parsed condition; `implicitSuccess` means it only holds when `success()` does too. */
export interface Condition {
  readonly expr: Expr;
  readonly implicitSuccess: boolean;
}

/** Parses an `if:` text such as `${{ failure() }}` or `github.ref == 'main'`; throws ExpressionError. */
export function parseCondition(text: string): Condition {
  // Actions reads an empty expression as null, which would silently skip the job forever.
  if (text.trim() === '' || /^\s*\$\{\{\s*\}\}\s*$/.test(text)) {
    throw new ExpressionError('EXPRESSION_SYNTAX', 'a condition must not be empty', {
      position: positionOf(text, 0),
    });
  }
  const expr = text.trimStart().startsWith('${{') ? parseWrapped(text) : parseRange(text, 0, text.length);
  return { expr, implicitSuccess: !usesStatusFunction(expr) };
}

// A wrapped condition must be one `${{ }}` with nothing but whitespace around it.
function parseWrapped(text: string): Expr {
  // findExpressions finds at least one expression (or throws) because the text starts with `${{`.
  const first = findExpressions(text)[0]!;
  const end = first.offset + '${{'.length + first.source.length + '}}'.length;
  const rest = text.slice(end);
  if (rest.trim() === '') return first.expr;
  throw new ExpressionError(
    'EXPRESSION_SYNTAX',
    "a condition must be a single expression: put all of it inside one '${{ }}' or write it without '${{ }}'",
    { position: positionOf(text, end + rest.length - rest.trimStart().length) },
  );
}

/** Decides a condition: false when the implicit `success()` fails, else the truthiness of its value. */
export function evaluateCondition(cond: Condition, ctx: EvalContext): boolean {
  if (cond.implicitSuccess && !statusOf(ctx).success()) return false;
  return isTruthyData(evaluateData(cond.expr, ctx));
}
