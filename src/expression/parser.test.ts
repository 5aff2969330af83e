import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Expr } from './ast.js';
import { isExpressionError } from './errors.js';
import { checkExpression, MAX_EXPRESSION_DEPTH, MAX_EXPRESSION_LENGTH, parseExpression } from './parser.js';

// Prints a tree as fully parenthesized text so precedence is visible in one string.
function show(expr: Expr): string {
  switch (expr.kind) {
    case 'literal':
      return JSON.stringify(expr.value);
    case 'context':
      return expr.name;
    case 'property':
      return `${show(expr.object)}.${expr.name}`;
    case 'index':
      return `${show(expr.object)}[${show(expr.index)}]`;
    case 'not':
      return `!${show(expr.operand)}`;
    case 'compare':
      return `(${show(expr.left)} ${expr.op} ${show(expr.right)})`;
    case 'logical':
      return `(${expr.operands.map(show).join(` ${expr.op} `)})`;
    case 'call':
      return `${expr.name}(${expr.args.map(show).join(', ')})`;
  }
}

const parsed = (source: string): string => show(parseExpression(source));

function syntaxError(source: string): string {
  const error = checkExpression(source);
  assert.ok(error, `expected an error for ${source}`);
  return `${error.code}: ${error.message}`;
}

test('literals: quoted strings with doubled-quote escapes, numbers, keywords', () => {
  assert.equal(parsed("'it''s'"), '"it\'s"');
  assert.equal(parsed('"say ""hi"""'), '"say \\"hi\\""');
  assert.equal(parsed('-1.5'), '-1.5');
  assert.equal(parsed('0x1F'), '31');
  assert.equal(parsed('2e3'), '2000');
  assert.equal(parsed('true'), 'true');
  assert.equal(parsed('null'), 'null');
});

test('context, property and index access chain left to right', () => {
  assert.equal(parsed("needs.build-app.outputs['image tag'][0]"), 'needs.build-app.outputs["image tag"][0]');
  assert.equal(parsed('fromJSON(x).a'), 'fromJSON(x).a');
});

test('precedence: || < && < ==,!= < ordering < ! < member', () => {
  assert.equal(parsed('a || b && c'), '(a || (b && c))');
  assert.equal(parsed('a && b == c'), '(a && (b == c))');
  assert.equal(parsed('a == b < c'), '(a == (b < c))');
  assert.equal(parsed('!a == b'), '(!a == b)');
  assert.equal(parsed('!a.b'), '!a.b');
  assert.equal(parsed('(a || b) && c'), '((a || b) && c)');
});

test('comparison operators associate to the left; logical chains are flat', () => {
  assert.equal(parsed('a == b != c'), '((a == b) != c)');
  assert.equal(parsed('a < b >= c'), '((a < b) >= c)');
  assert.equal(parsed('a || b || c'), '(a || b || c)');
  const chain = parseExpression('a && b && c');
  assert.equal(chain.kind === 'logical' && chain.operands.length, 3);
});

test('function calls take argument lists, names in any case', () => {
  assert.equal(parsed("format('{0}', a, 'b')"), 'format("{0}", a, "b")');
  assert.equal(parsed('Success()'), 'Success()');
  assert.equal(parsed("toJson(contains(a, 'x'))"), 'toJson(contains(a, "x"))');
});

test('syntax errors name the problem and the column', () => {
  assert.equal(syntaxError("(a == 'x'))"), "EXPRESSION_SYNTAX: unexpected ')' at column 11");
  assert.equal(syntaxError('a =='), 'EXPRESSION_SYNTAX: unexpected end of expression at column 5');
  assert.equal(syntaxError("a == 'open"), 'EXPRESSION_SYNTAX: unterminated string at column 6');
  assert.equal(
    syntaxError('a = b'),
    "EXPRESSION_SYNTAX: unexpected character '=' (use '==' to compare) at column 3",
  );
  assert.equal(syntaxError('(a'), "EXPRESSION_SYNTAX: expected ')' but found end of expression at column 3");
  assert.equal(
    syntaxError('a.'),
    'EXPRESSION_SYNTAX: expected a property name but found end of expression at column 3',
  );
  assert.equal(syntaxError('  '), 'EXPRESSION_SYNTAX: empty expression at column 3');
  assert.equal(syntaxError('a b'), "EXPRESSION_SYNTAX: unexpected 'b' at column 3");
});

test('errors carry a structured position, with lines for multi-line text', () => {
  const error = checkExpression('a &&\n  )');
  assert.equal(error?.message, "unexpected ')' at line 2, column 3");
  assert.deepEqual(error?.position, { offset: 7, line: 2, column: 3 });
  assert.equal(error?.reason, "unexpected ')'");
});

test('unknown functions and wrong argument counts are caught at parse time', () => {
  assert.throws(
    () => parseExpression('a && deploy(1)'),
    (e) =>
      isExpressionError(e, 'EXPRESSION_UNKNOWN_FUNCTION') &&
      e.message === "unknown function 'deploy' at column 6",
  );
  assert.equal(
    syntaxError("contains('a')"),
    'EXPRESSION_ARGUMENTS: contains() takes 2 argument(s), got 1 at column 1',
  );
  assert.equal(
    syntaxError('success(1)'),
    'EXPRESSION_ARGUMENTS: success() takes 0 argument(s), got 1 at column 1',
  );
  assert.equal(
    syntaxError('format()'),
    'EXPRESSION_ARGUMENTS: format() takes at least 1 argument(s), got 0 at column 1',
  );
  assert.equal(checkExpression("join(a, ',')"), undefined);
});

test('nesting deeper than the limit is rejected with EXPRESSION_LIMIT', () => {
  const ok = `${'('.repeat(MAX_EXPRESSION_DEPTH - 1)}a${')'.repeat(MAX_EXPRESSION_DEPTH - 1)}`;
  assert.equal(checkExpression(ok), undefined);
  for (const deep of [
    `${'('.repeat(4000)}a${')'.repeat(4000)}`,
    `${'!'.repeat(9000)}a`,
    `a${'.b'.repeat(500)}`,
    Array.from({ length: 300 }, () => 'a').join(' == '),
  ]) {
    const error = checkExpression(deep);
    assert.equal(error?.code, 'EXPRESSION_LIMIT', deep.slice(0, 20));
    assert.match(error.message, /nested more than 100 levels deep/);
  }
});

test('long flat || chains are fine but over-long text is rejected', () => {
  assert.equal(checkExpression(Array.from({ length: 1000 }, (_, i) => `a${i}`).join(' || ')), undefined);
  const error = checkExpression(`'${'x'.repeat(MAX_EXPRESSION_LENGTH)}'`);
  assert.equal(error?.code, 'EXPRESSION_LIMIT');
  assert.match(error.message, /longer than 10000 characters/);
});
