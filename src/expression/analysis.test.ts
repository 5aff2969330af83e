import assert from 'node:assert/strict';
import { test } from 'node:test';
import { referencedNeeds, usesStatusFunction } from './analysis.js';
import { parseExpression } from './parser.js';

test('usesStatusFunction finds status calls anywhere and ignores look-alikes', () => {
  assert.equal(usesStatusFunction(parseExpression('success()')), true);
  assert.equal(usesStatusFunction(parseExpression("env.a == 'x' || (env.b && !Cancelled())")), true);
  assert.equal(usesStatusFunction(parseExpression("format('{0}', always())")), true);
  assert.equal(usesStatusFunction(parseExpression("contains(needs.build.result, 'failure')")), false);
  assert.equal(
    usesStatusFunction(parseExpression('success', { contexts: ['success'] })),
    false,
    'a context named success is not a call',
  );
});

test('referencedNeeds lists job ids read through needs, once each, in order', () => {
  const expr = parseExpression(
    "needs.build.result == 'success' && needs['test-e2e'].outputs.ok && needs.build.outputs.x && NEEDS.lint",
  );
  assert.deepEqual(referencedNeeds(expr), ['build', 'test-e2e', 'lint']);
  assert.deepEqual(
    referencedNeeds(parseExpression('toJSON(needs) || matrix.build || needs[matrix.job]')),
    [],
  );
});
