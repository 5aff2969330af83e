import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isTruthy } from './coerce.js';
import type { EvalContext } from './eval-context.js';
import { evaluate } from './evaluate.js';
import { parseExpression } from './parser.js';

const contexts = {
  git: { branch: 'main', sha: 'abc123' },
  matrix: { os: 'Linux', node: 20, flags: ['a', 'b'] },
  needs: { build: { result: 'success', outputs: { count: '3', 'image tag': 'v1' } } },
  env: { EMPTY: '', ZERO: 0 },
};
const ctx: EvalContext = { contexts };
const run = (source: string, context: EvalContext = ctx): unknown =>
  evaluate(parseExpression(source), context);

test('literals evaluate to their values', () => {
  assert.equal(run("'it''s'"), "it's");
  assert.equal(run('-2.5'), -2.5);
  assert.equal(run('true'), true);
  assert.equal(run('null'), null);
});

test('context, property and index access read the contexts', () => {
  assert.equal(run('git.branch'), 'main');
  assert.equal(run("needs.build.outputs['image tag']"), 'v1');
  assert.equal(run('matrix.flags[1]'), 'b');
  assert.equal(run("matrix['node']"), 20);
  assert.deepEqual(run('matrix.flags'), ['a', 'b']);
});

test('property names match case-insensitively when no exact key exists', () => {
  assert.equal(run('GIT.Branch'), 'main');
  assert.equal(run('needs.BUILD.result'), 'success');
});

test('missing properties and indexes evaluate to null without throwing', () => {
  assert.equal(run('env.missing'), null);
  assert.equal(run('env.missing.deeply.nested[3]'), null);
  assert.equal(run('secrets.token'), null, 'a Slipway context the caller did not give reads as null');
  assert.equal(run('git.branch.length'), null);
  assert.equal(run('matrix.flags[9]'), null);
  assert.equal(run('matrix.flags[-1]'), null);
  assert.equal(run('matrix.flags.length'), null);
  assert.equal(run('needs.deploy.result'), null);
});

test('prototype members are never reachable', () => {
  for (const source of [
    'git.__proto__',
    'git.constructor',
    "git['constructor']",
    'matrix.flags.constructor',
    'git.hasOwnProperty',
    "git.constructor['prototype']",
  ]) {
    assert.equal(run(source), null, source);
  }
  // GitHub's dictionary keeps keys in a plain object, so it drops a `__proto__` key rather than store it.
  assert.equal(run('fromJSON(\'{"__proto__": {"x": 1}}\').__proto__'), null);
  assert.equal(({} as Record<string, unknown>).x, undefined, 'Object.prototype stays untouched');
});

test('== and != compare loosely like Actions', () => {
  const cases: [string, boolean][] = [
    ["'ABC' == 'abc'", true],
    ["'1' == 1", true],
    ["'1.0' == 1", true],
    ["'abc' == 0", false],
    ["'' == 0", true],
    ['null == env.missing.prop', true],
    ['env.missing == null', true],
    ['null == 0', true],
    ['true == 1', true],
    ["true == 'true'", false],
    ['false == 0', true],
    ['matrix.flags == matrix.flags', true],
    ["matrix.flags == 'a'", false],
    ["git.branch != 'MAIN'", false],
    ['1 != 2', true],
    ["fromJSON('[1]') == fromJSON('[1]')", false],
  ];
  for (const [source, expected] of cases) assert.equal(run(source), expected, source);
});

test('ordering compares numbers, strings ignoring case, and mixed types as numbers', () => {
  const cases: [string, boolean][] = [
    ['1 < 2', true],
    ['2 <= 2', true],
    ['3 > 2.5', true],
    ['2 >= 3', false],
    ["'a' < 'B'", true],
    ["'b' > 'A'", true],
    ["'10' > 9", true],
    ['needs.build.outputs.count >= 3', true],
    ["'abc' < 1", false],
    ["'abc' >= 1", false],
    ['matrix.flags > 0', false],
  ];
  for (const [source, expected] of cases) assert.equal(run(source), expected, source);
});

test('&& and || return an operand and short-circuit', () => {
  assert.equal(run("git.branch && 'yes'"), 'yes');
  assert.equal(run("env.EMPTY && 'yes'"), '');
  assert.equal(run("env.EMPTY || 'fallback'"), 'fallback');
  assert.equal(run("git.sha || 'fallback'"), 'abc123');
  assert.equal(run('env.ZERO || null'), null);
  let hashed = 0;
  const counting: EvalContext = {
    contexts,
    hashFiles: () => {
      hashed++;
      return 'h';
    },
  };
  assert.equal(run("false && hashFiles('*')", counting), false);
  assert.equal(run("true || hashFiles('*')", counting), true);
  assert.equal(hashed, 0);
  assert.equal(run("true && hashFiles('*')", counting), 'h');
  assert.equal(hashed, 1);
});

test('! negates truthiness; false, 0, NaN, empty string and null are falsy', () => {
  for (const falsy of [false, 0, -0, Number.NaN, '', null, undefined]) assert.equal(isTruthy(falsy), false);
  for (const truthy of [true, 1, -1, 'false', '0', [], {}]) assert.equal(isTruthy(truthy), true);
  assert.equal(run('!env.EMPTY'), true);
  assert.equal(run('!!git.branch'), true);
  assert.equal(run('!matrix.flags'), false);
  assert.equal(run('!env.missing'), true);
});
