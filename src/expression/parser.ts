// Recursive-descent parser for expression bodies; precedence from loosest: || && ==,!= <,<=,>,>= ! member/call.
import { type CompareOperator, type Expr, findTooDeep, type LogicalOperator } from './ast.js';
import { ExpressionError, positionOf } from './errors.js';
import { lookupFunction } from './functions.js';
import { type Token, tokenize } from './lexer.js';

/** Deepest nesting accepted, so hostile input cannot exhaust the stack. */
export const MAX_EXPRESSION_DEPTH = 100;
/** Longest expression body accepted, in characters. */
export const MAX_EXPRESSION_LENGTH = 10_000;

const EQUALITY: readonly string[] = ['==', '!='];
const ORDERING: readonly string[] = ['<', '<=', '>', '>='];
const KEYWORDS: ReadonlyMap<string, boolean | null> = new Map([
  ['true', true],
  ['false', false],
  ['null', null],
]);

class Parser {
  private position = 0;
  private depth = 0;

  constructor(
    private readonly text: string,
    private readonly tokens: readonly Token[],
  ) {}

  parse(): Expr {
    if (this.peek().kind === 'end')
      throw this.error('EXPRESSION_SYNTAX', 'empty expression', this.peek().offset);
    const expr = this.parseOr();
    const rest = this.peek();
    if (rest.kind !== 'end') throw this.unexpected(rest);
    return expr;
  }

  private parseOr(): Expr {
    this.enter();
    const expr = this.parseLogical('||', () => this.parseLogical('&&', () => this.parseEquality()));
    this.depth--;
    return expr;
  }

  // Chains of one logical operator become one flat node, so long `a || b || c` lists add no depth.
  private parseLogical(op: LogicalOperator, next: () => Expr): Expr {
    const first = next();
    const operands = [first];
    while (this.accept('operator', op)) operands.push(next());
    return operands.length === 1 ? first : { kind: 'logical', op, operands, offset: first.offset };
  }

  private parseEquality(): Expr {
    return this.parseComparison(EQUALITY, () => this.parseComparison(ORDERING, () => this.parseUnary()));
  }

  private parseComparison(ops: readonly string[], next: () => Expr): Expr {
    let left = next();
    for (
      let token = this.peek();
      token.kind === 'operator' && ops.includes(token.text);
      token = this.peek()
    ) {
      this.position++;
      const right = next();
      left = { kind: 'compare', op: token.text as CompareOperator, left, right, offset: left.offset };
    }
    return left;
  }

  private parseUnary(): Expr {
    const token = this.peek();
    if (!this.accept('operator', '!')) return this.parsePostfix();
    this.enter();
    const operand = this.parseUnary();
    this.depth--;
    return { kind: 'not', operand, offset: token.offset };
  }

  private parsePostfix(): Expr {
    let expr = this.parsePrimary();
    for (;;) {
      if (this.accept('punctuation', '.')) {
        const name = this.next();
        if (name.kind !== 'identifier') throw this.unexpected(name, 'a property name');
        expr = { kind: 'property', object: expr, name: name.text, offset: expr.offset };
      } else if (this.accept('punctuation', '[')) {
        const index = this.parseOr();
        this.expect(']');
        expr = { kind: 'index', object: expr, index, offset: expr.offset };
      } else {
        return expr;
      }
    }
  }

  private parsePrimary(): Expr {
    const token = this.next();
    switch (token.kind) {
      case 'number':
      case 'string':
        return { kind: 'literal', value: token.value, offset: token.offset };
      case 'identifier':
        return this.parseIdentifier(token);
      case 'punctuation':
        if (token.text === '(') {
          const inner = this.parseOr();
          this.expect(')');
          return inner;
        }
        throw this.unexpected(token);
      default:
        throw this.unexpected(token);
    }
  }

  private parseIdentifier(token: Token): Expr {
    if (this.accept('punctuation', '(')) return this.parseCall(token);
    const keyword = KEYWORDS.get(token.text);
    if (keyword !== undefined) return { kind: 'literal', value: keyword, offset: token.offset };
    return { kind: 'context', name: token.text, offset: token.offset };
  }

  private parseCall(name: Token): Expr {
    const spec = lookupFunction(name.text);
    if (spec === undefined) {
      throw this.error('EXPRESSION_UNKNOWN_FUNCTION', `unknown function '${name.text}'`, name.offset);
    }
    const args: Expr[] = [];
    if (!this.accept('punctuation', ')')) {
      do args.push(this.parseOr());
      while (this.accept('punctuation', ','));
      this.expect(')');
    }
    if (args.length < spec.minArgs || args.length > spec.maxArgs) {
      const wanted =
        spec.minArgs === spec.maxArgs
          ? `${spec.minArgs}`
          : spec.maxArgs === Infinity
            ? `at least ${spec.minArgs}`
            : `${spec.minArgs} to ${spec.maxArgs}`;
      const reason = `${spec.name}() takes ${wanted} argument(s), got ${args.length}`;
      throw this.error('EXPRESSION_ARGUMENTS', reason, name.offset);
    }
    return { kind: 'call', name: name.text, args, offset: name.offset };
  }

  private enter(): void {
    this.depth++;
    if (this.depth > MAX_EXPRESSION_DEPTH) throw tooDeep(this.text, this.peek().offset);
  }

  private peek(): Token {
    return this.tokens[this.position]!;
  }

  private next(): Token {
    const token = this.peek();
    if (token.kind !== 'end') this.position++;
    return token;
  }

  private accept(kind: Token['kind'], text: string): boolean {
    const token = this.peek();
    if (token.kind !== kind || token.text !== text) return false;
    this.position++;
    return true;
  }

  private expect(text: string): void {
    const token = this.peek();
    if (!this.accept('punctuation', text)) throw this.unexpected(token, `'${text}'`);
  }

  private unexpected(token: Token, wanted?: string): ExpressionError {
    const found = token.kind === 'end' ? 'end of expression' : `'${token.text}'`;
    const reason = wanted === undefined ? `unexpected ${found}` : `expected ${wanted} but found ${found}`;
    return this.error('EXPRESSION_SYNTAX', reason, token.offset);
  }

  private error(code: ExpressionError['code'], reason: string, offset: number): ExpressionError {
    return new ExpressionError(code, reason, { position: positionOf(this.text, offset) });
  }
}

function tooDeep(text: string, offset: number): ExpressionError {
  const reason = `expression is nested more than ${MAX_EXPRESSION_DEPTH} levels deep`;
  return new ExpressionError('EXPRESSION_LIMIT', reason, { position: positionOf(text, offset) });
}

/** Parses the expression between `start` and `end` of `text`; positions in errors and nodes refer to `text`. */
export function parseRange(text: string, start: number, end: number): Expr {
  if (end - start > MAX_EXPRESSION_LENGTH) {
    const reason = `expression is longer than ${MAX_EXPRESSION_LENGTH} characters`;
    throw new ExpressionError('EXPRESSION_LIMIT', reason, { position: positionOf(text, start) });
  }
  const expr = new Parser(text, tokenize(text, start, end)).parse();
  const deep = findTooDeep(expr, MAX_EXPRESSION_DEPTH);
  if (deep !== undefined) throw tooDeep(text, deep.offset);
  return expr;
}

/** Parses an expression body (without `${{ }}`); throws ExpressionError with the column of the problem. */
export function parseExpression(source: string): Expr {
  return parseRange(source, 0, source.length);
}

/** Parses `source` and returns the ExpressionError it would throw, or undefined when it is valid. */
export function checkExpression(source: string): ExpressionError | undefined {
  try {
    parseExpression(source);
    return undefined;
  } catch (error) {
    if (error instanceof ExpressionError) return error;
    throw error;
  }
}
