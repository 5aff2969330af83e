import assert from 'node:assert/strict';
import { test } from 'node:test';
import { evaluateCondition, parseCondition } from './condition.js';
import { isExpressionError } from './errors.js';
import type { EvalContext, StatusProvider } from './eval-context.js';
import { evaluate } from './evaluate.js';

const contexts = { git: { branch: 'main' }, env: { REF: 'refs/heads/main' } };
const status = (success: boolean, failure = !success, cancelled = false): StatusProvider => ({
  success: () => success,
  failure: () => failure,
  cancelled: () => cancelled,
});
const passed: EvalContext = { contexts, status: status(true) };
const failed: EvalContext = { contexts, status: status(false) };
const cancelled: EvalContext = { contexts, status: status(false, false, true) };

test('parseCondition accepts bare and wrapped text alike', () => {
  const bare = parseCondition("git.branch == 'main'");
  const wrapped = parseCondition("  ${{ git.branch == 'main' }}\n");
  assert.deepEqual(evaluate(wrapped.expr, passed), evaluate(bare.expr, passed));
  assert.equal(evaluate(wrapped.expr, passed), true);
  assert.equal(wrapped.expr.constructor.name, 'Binary');
  assert.equal(bare.implicitSuccess, true);
  assert.equal(wrapped.implicitSuccess, true);
});

test('implicitSuccess is off when any status function appears, however nested', () => {
  assert.equal(parseCondition('failure()').implicitSuccess, false);
  assert.equal(parseCondition('${{ always() }}').implicitSuccess, false);
  assert.equal(parseCondition("git.branch == 'main' && !cancelled()").implicitSuccess, false);
  assert.equal(parseCondition("contains(format('{0}', Success()), 'true')").implicitSuccess, false);
  assert.equal(parseCondition("contains(git.branch, 'success')").implicitSuccess, true);
});

test('a condition without status functions runs only after success', () => {
  const cond = parseCondition("env.REF == 'refs/heads/main'");
  assert.equal(evaluateCondition(cond, passed), true);
  assert.equal(evaluateCondition(cond, failed), false);
  assert.equal(evaluateCondition(cond, cancelled), false);
  assert.equal(evaluateCondition(parseCondition("env.REF == 'refs/heads/dev'"), passed), false);
});

test('conditions with status functions are evaluated as written', () => {
  const onFailure = parseCondition("${{ failure() && git.branch == 'main' }}");
  assert.equal(evaluateCondition(onFailure, failed), true);
  assert.equal(evaluateCondition(onFailure, passed), false);
  const always = parseCondition('always()');
  assert.equal(evaluateCondition(always, cancelled), true);
  assert.equal(evaluateCondition(parseCondition('!cancelled()'), failed), true);
  assert.equal(evaluateCondition(parseCondition('!cancelled()'), cancelled), false);
});

test('condition values are judged by truthiness', () => {
  assert.equal(evaluateCondition(parseCondition('git.branch'), passed), true);
  assert.equal(evaluateCondition(parseCondition('env.missing.value'), passed), false);
  assert.equal(evaluateCondition(parseCondition("''"), passed), false);
  assert.equal(evaluateCondition(parseCondition('0'), passed), false);
  assert.equal(evaluateCondition(parseCondition("'false'"), passed), true);
});

test('a wrapped condition with text around it, or a syntax error, is rejected with its column', () => {
  assert.throws(
    () => parseCondition("${{ git.branch }} == 'main'"),
    (e) => isExpressionError(e, 'EXPRESSION_SYNTAX') && /single expression.* at column 19$/.test(e.message),
  );
  assert.throws(
    () => parseCondition('${{ env.a }} ${{ env.b }}'),
    (e) => isExpressionError(e, 'EXPRESSION_SYNTAX') && e.position?.column === 14,
  );
  assert.throws(
    () => parseCondition('${{ env.a == }}'),
    (e) =>
      isExpressionError(e, 'EXPRESSION_SYNTAX') &&
      e.message === "Unexpected end of expression: '==' at column 11",
  );
  assert.throws(
    () => parseCondition('${{ a'),
    (e) => isExpressionError(e, 'EXPRESSION_SYNTAX'),
  );
  assert.throws(
    () => parseCondition(''),
    (e) => isExpressionError(e, 'EXPRESSION_SYNTAX'),
  );
  assert.throws(
    () => parseCondition('deploy()'),
    (e) => isExpressionError(e, 'EXPRESSION_UNKNOWN_FUNCTION'),
  );
});
