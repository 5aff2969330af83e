// Splits an expression body into tokens, keeping each token's offset so errors can name a column.
import { ExpressionError, positionOf } from './errors.js';

/** The kinds of token the parser distinguishes. */
export type TokenKind = 'number' | 'string' | 'identifier' | 'operator' | 'punctuation' | 'end';

/** One token; `text` is the raw source, `value` the decoded literal for strings and numbers. */
export interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  readonly value: string | number;
  readonly offset: number;
}

const OPERATORS = ['==', '!=', '<=', '>=', '&&', '||', '<', '>', '!'] as const;
const PUNCTUATION = new Set(['(', ')', '[', ']', ',', '.']);
const NUMBER_RE = /(-?)(0x[0-9a-f]+|\d+(?:\.\d+)?(?:e[+-]?\d+)?)/iy;
const IDENTIFIER_RE = /[A-Za-z_][A-Za-z0-9_-]*/y;
const SPACE_RE = /\s/;

/** Tokenizes `text` between `start` and `end`; offsets stay relative to the whole of `text`. */
export function tokenize(text: string, start = 0, end = text.length): Token[] {
  const body = text.slice(start, end);
  const fail: Fail = (reason, at) => {
    throw new ExpressionError('EXPRESSION_SYNTAX', reason, { position: positionOf(text, start + at) });
  };
  const tokens: Token[] = [];
  let i = 0;
  while (i < body.length) {
    if (SPACE_RE.test(body[i]!)) {
      i++;
      continue;
    }
    const token = readToken(body, i, fail);
    tokens.push({ ...token, offset: start + i });
    i += token.text.length;
  }
  tokens.push({ kind: 'end', text: '', value: '', offset: end });
  return tokens;
}

// Reports a problem at an offset of the body being tokenized.
type Fail = (reason: string, at: number) => never;

function readToken(source: string, i: number, fail: Fail): Token {
  const ch = source[i]!;
  if (ch === "'" || ch === '"') return readString(source, i, ch, fail);
  const number = matchAt(NUMBER_RE, source, i);
  if (number) {
    const sign = number[1] === '-' ? -1 : 1;
    return { kind: 'number', text: number[0], value: sign * Number(number[2]), offset: i };
  }
  const identifier = matchAt(IDENTIFIER_RE, source, i);
  if (identifier) return { kind: 'identifier', text: identifier[0], value: identifier[0], offset: i };
  const operator = OPERATORS.find((op) => source.startsWith(op, i));
  if (operator) return { kind: 'operator', text: operator, value: operator, offset: i };
  if (PUNCTUATION.has(ch)) return { kind: 'punctuation', text: ch, value: ch, offset: i };
  const hint = ch === '=' ? " (use '==' to compare)" : '';
  return fail(`unexpected character '${ch}'${hint}`, i);
}

function matchAt(re: RegExp, source: string, i: number): RegExpExecArray | null {
  re.lastIndex = i;
  return re.exec(source);
}

// Strings use the Actions escape: a doubled quote stands for one quote character.
function readString(source: string, start: number, quote: string, fail: Fail): Token {
  let value = '';
  let i = start + 1;
  while (i < source.length) {
    const ch = source[i]!;
    if (ch !== quote) {
      value += ch;
      i++;
    } else if (source[i + 1] === quote) {
      value += quote;
      i += 2;
    } else {
      return { kind: 'string', text: source.slice(start, i + 1), value, offset: start };
    }
  }
  return fail('unterminated string', start);
}
