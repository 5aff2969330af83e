import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isExpressionError } from './errors.js';
import type { EvalContext } from './eval-context.js';
import { interpolate } from './interpolate.js';
import { checkTemplate, findExpressions } from './template.js';

const ctx: EvalContext = {
  contexts: {
    git: { branch: 'main', sha: 'abc123' },
    matrix: { node: 20, debug: false, tags: ['a', 'b'], meta: { team: 'web' } },
  },
};

test('interpolate replaces several expressions in one text', () => {
  assert.equal(
    interpolate('deploy ${{ git.branch }}@${{git.sha}} on node ${{ matrix.node }}', ctx),
    'deploy main@abc123 on node 20',
  );
});

test('interpolate renders booleans, objects, arrays and missing values', () => {
  assert.equal(interpolate('debug=${{ matrix.debug }}', ctx), 'debug=false');
  assert.equal(interpolate('${{ matrix.tags }}|${{ matrix.meta }}', ctx), '["a","b"]|{"team":"web"}');
  assert.equal(interpolate('[${{ matrix.nothing }}][${{ env.missing.deep.value }}]', ctx), '[][]');
  assert.equal(interpolate("${{ matrix.nothing || 'default' }}", ctx), 'default');
});

test('text without ${{ is returned unchanged, including lone braces and $', () => {
  const text = 'echo ${HOME} {{ not }} $$ }}';
  assert.equal(interpolate(text, ctx), text);
});

test('a }} inside a quoted string does not end the expression', () => {
  assert.equal(interpolate("a${{ format('}}{0}', 'x') }}b", ctx), 'a}xb');
  assert.equal(interpolate("${{ 'it''s }}' }}", ctx), "it's }}");
  assert.equal(interpolate("${{ '${{' }}", ctx), '${{');
});

test('an unterminated ${{ throws EXPRESSION_SYNTAX with its column', () => {
  assert.throws(
    () => interpolate('ok ${{ git.branch }} then ${{ git.sha', ctx),
    (e) =>
      isExpressionError(e, 'EXPRESSION_SYNTAX') &&
      e.message === "unterminated '${{' (missing '}}') at column 27",
  );
});

test('findExpressions returns each parsed expression with its body and offset', () => {
  const found = findExpressions('a ${{ git.branch }} b ${{ success() }}');
  assert.deepEqual(
    found.map((f) => [f.source, f.offset, f.expr.constructor.name]),
    [
      [' git.branch ', 2, 'IndexAccess'],
      [' success() ', 22, 'FunctionCall'],
    ],
  );
  assert.deepEqual(findExpressions('plain'), []);
});

test('checkTemplate reports syntax errors with positions in the whole text', () => {
  assert.equal(checkTemplate('run ${{ env.a }} and ${{ env.b }}'), undefined);
  const error = checkTemplate('echo ${{ env.a == }}');
  assert.equal(error?.code, 'EXPRESSION_SYNTAX');
  assert.equal(error.message, "Unexpected end of expression: '==' at column 16");
  assert.equal(checkTemplate('echo ${{ env.a # b }}')?.message, "Unexpected symbol: '#' at column 16");
  const multiLine = checkTemplate('line one\n  echo ${{ nope(1) }}');
  assert.equal(multiLine?.code, 'EXPRESSION_UNKNOWN_FUNCTION');
  assert.equal(multiLine.message, "Unrecognized function: 'nope' at line 2, column 12");
});
