import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isExpressionError } from './errors.js';
import { checkExpression, MAX_EXPRESSION_DEPTH, MAX_EXPRESSION_LENGTH, parseExpression } from './parser.js';

function problem(source: string): string {
  const error = checkExpression(source);
  assert.ok(error, `expected an error for ${source}`);
  return `${error.code}: ${error.message}`;
}

test("Slipway's contexts and functions parse, in any case", () => {
  for (const source of [
    "needs.build.outputs['image tag']",
    'MATRIX.os && Env.HOME && git.sha && run.id && inputs.x && secrets.y',
    "success() || FAILURE() || always() || cancelled() || hashFiles('*.lock', '*.json')",
    "case(matrix.os == 'linux', 'l', 'other')",
  ]) {
    assert.equal(checkExpression(source), undefined, source);
  }
});

test('a context Slipway does not have is a syntax error, as in Actions', () => {
  assert.equal(problem('github.ref'), "EXPRESSION_SYNTAX: Unrecognized named-value: 'github' at column 1");
  assert.equal(checkExpression('github.ref', { contexts: ['github'] }), undefined);
});

test('syntax errors name the problem and the column', () => {
  assert.equal(problem('1 < )'), "EXPRESSION_SYNTAX: Unexpected symbol: ')' at column 5");
  assert.equal(problem('env.a =='), "EXPRESSION_SYNTAX: Unexpected end of expression: '==' at column 7");
  assert.equal(problem("'open"), "EXPRESSION_SYNTAX: Unexpected symbol: ''open' at column 1");
  assert.equal(problem('env.a # 1'), "EXPRESSION_SYNTAX: Unexpected symbol: '#' at column 7");
});

test('errors carry a structured position, with lines for multi-line text', () => {
  const error = checkExpression('env.a &&\n  env.b ==\n  )');
  assert.ok(error);
  assert.deepEqual(error.position, { offset: 22, line: 3, column: 3 });
  assert.match(error.message, / at line 3, column 3$/);
});

test('unknown functions and wrong argument counts are caught at parse time', () => {
  assert.match(problem('deploy()'), /^EXPRESSION_UNKNOWN_FUNCTION: Unrecognized function: 'deploy'/);
  assert.match(problem("contains('a')"), /^EXPRESSION_ARGUMENTS: Too few parameters supplied: 'contains'/);
  assert.match(problem('success(1)'), /^EXPRESSION_ARGUMENTS: Too many parameters supplied: 'success'/);
  assert.match(problem("case(true, 'a')"), /^EXPRESSION_ARGUMENTS: /);
});

test('nesting deeper than the limit is rejected with EXPRESSION_LIMIT', () => {
  const nested = (depth: number) => `${'('.repeat(depth)}1${')'.repeat(depth)}`;
  assert.equal(checkExpression(nested(MAX_EXPRESSION_DEPTH - 2)), undefined);
  assert.ok(isExpressionError(checkExpression(nested(MAX_EXPRESSION_DEPTH + 1)), 'EXPRESSION_LIMIT'));
});

test('long flat || chains are fine but over-long text is rejected', () => {
  assert.equal(checkExpression(Array.from({ length: 500 }, () => 'env.a').join(' || ')), undefined);
  const long = `'${'x'.repeat(MAX_EXPRESSION_LENGTH)}'`;
  assert.ok(isExpressionError(checkExpression(long), 'EXPRESSION_LIMIT'));
  assert.throws(() => parseExpression(long), /longer than/);
});
