// Finds the `${{ expr }}` parts of a text; a `}}` inside a string does not close an expression.
import { ExpressionError, positionOf } from './errors.js';
import { type Expr, parseRange } from './parser.js';

const OPEN = '${{';
const CLOSE = '}}';

/** One `${{ }}` found in a text: its parsed body, the body as written, and the offset of `${{`. */
export interface TemplateExpression {
  readonly expr: Expr;
  readonly source: string;
  readonly offset: number;
}

/** A text split into literal strings and expressions, in order. */
export type TemplatePart = string | TemplateExpression;

/** Splits `text` into literal text and parsed expressions; throws ExpressionError with the position. */
export function parseTemplate(text: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let cursor = 0;
  for (let open = text.indexOf(OPEN); open !== -1; open = text.indexOf(OPEN, cursor)) {
    if (open > cursor) parts.push(text.slice(cursor, open));
    const bodyStart = open + OPEN.length;
    const bodyEnd = findClose(text, bodyStart);
    if (bodyEnd === -1) {
      throw new ExpressionError('EXPRESSION_SYNTAX', "unterminated '${{' (missing '}}')", {
        position: positionOf(text, open),
      });
    }
    const expr = parseRange(text, bodyStart, bodyEnd);
    parts.push({ expr, source: text.slice(bodyStart, bodyEnd), offset: open });
    cursor = bodyEnd + CLOSE.length;
  }
  if (cursor < text.length) parts.push(text.slice(cursor));
  return parts;
}

// Returns the offset of the closing `}}`, skipping strings; only single quotes quote in Actions ('' toggles twice).
function findClose(text: string, from: number): number {
  let quote: string | undefined;
  for (let i = from; i < text.length; i++) {
    const ch = text[i]!;
    if (quote !== undefined) {
      if (ch === quote) quote = undefined;
    } else if (ch === "'") {
      quote = ch;
    } else if (text.startsWith(CLOSE, i)) {
      return i;
    }
  }
  return -1;
}

/** Every `${{ }}` expression of `text`, parsed; throws the first ExpressionError found. */
export function findExpressions(text: string): TemplateExpression[] {
  return parseTemplate(text).filter((part): part is TemplateExpression => typeof part !== 'string');
}

/** The first ExpressionError in `text`'s `${{ }}` expressions, or undefined when all parse. */
export function checkTemplate(text: string): ExpressionError | undefined {
  try {
    parseTemplate(text);
    return undefined;
  } catch (error) {
    if (error instanceof ExpressionError) return error;
    throw error;
  }
}
