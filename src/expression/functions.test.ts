import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isExpressionError } from './errors.js';
import type { EvalContext, StatusProvider } from './eval-context.js';
import { evaluate } from './evaluate.js';
import { parseExpression } from './parser.js';

const contexts = {
  git: { branch: 'Feature/Login', sha: 'abc123' },
  matrix: { os: ['ubuntu', 'macOS'], versions: [18, 20] },
  needs: { build: { outputs: { json: '{"ok":true,"list":[1,2]}' } } },
};
const run = (source: string, ctx: EvalContext = { contexts }): unknown =>
  evaluate(parseExpression(source), ctx);

function fakeStatus(state: 'succeeded' | 'failed' | 'cancelled'): StatusProvider {
  return {
    success: () => state === 'succeeded',
    failure: () => state === 'failed',
    cancelled: () => state === 'cancelled',
  };
}

test('status functions answer from the status provider', () => {
  const values = (state: 'succeeded' | 'failed' | 'cancelled'): unknown[] =>
    ['success()', 'failure()', 'cancelled()', 'always()'].map((s) =>
      run(s, { contexts, status: fakeStatus(state) }),
    );
  assert.deepEqual(values('succeeded'), [true, false, false, true]);
  assert.deepEqual(values('failed'), [false, true, false, true]);
  assert.deepEqual(values('cancelled'), [false, false, true, true]);
});

test('without a status provider success() holds and failure()/cancelled() do not', () => {
  assert.deepEqual(
    ['success()', 'failure()', 'cancelled()', 'always()'].map((s) => run(s)),
    [true, false, false, true],
  );
});

test('contains searches strings ignoring case, and arrays with loose equality', () => {
  assert.equal(run("contains(git.branch, 'login')"), true);
  assert.equal(run("contains(git.branch, 'logout')"), false);
  assert.equal(run("contains(matrix.os, 'MACOS')"), true);
  assert.equal(run("contains(matrix.os, 'windows')"), false);
  assert.equal(run("contains(matrix.versions, '20')"), true);
  assert.equal(run("contains(fromJSON('[\"a,b\"]'), 'a')"), false, 'array elements are not searched as text');
});

test('startsWith and endsWith ignore case', () => {
  assert.equal(run("startsWith(git.branch, 'feature/')"), true);
  assert.equal(run("startsWith(git.branch, 'login')"), false);
  assert.equal(run("endsWith(git.branch, 'LOGIN')"), true);
  assert.equal(run("endsWith(git.branch, 'feature')"), false);
  assert.equal(run("StartsWith(git.sha, 'ABC')"), true);
});

test('format fills numbered placeholders and keeps doubled braces', () => {
  assert.equal(run("format('{0}-{1}', git.sha, 7)"), 'abc123-7');
  assert.equal(run("format('{{{0}}} {1}{0}', 'x', null)"), '{x} x');
  assert.equal(run("format('{0}', matrix.os)"), 'Array', 'Actions formats an array as its kind');
});

test('format rejects a missing argument or a stray brace', () => {
  assert.throws(
    () => run("format('{0} {1}', 'a')"),
    (e) => isExpressionError(e, 'EXPRESSION_EVALUATION'),
  );
  assert.throws(
    () => run("format('{0', 'a')"),
    (e) => isExpressionError(e, 'EXPRESSION_EVALUATION') && /format string is invalid/.test(e.message),
  );
});

test('join joins arrays with a separator (comma by default) and passes strings through', () => {
  assert.equal(run("join(matrix.os, ' | ')"), 'ubuntu | macOS');
  assert.equal(run('join(matrix.versions)'), '18,20');
  assert.equal(run("join('single', '-')"), 'single');
  assert.equal(run('join(env.missing)'), '');
});

test('toJSON pretty-prints and fromJSON parses', () => {
  assert.equal(run('toJSON(matrix.versions)'), '[\n  18,\n  20\n]');
  assert.equal(run('toJSON(env.missing)'), 'null');
  assert.equal(run('fromJSON(needs.build.outputs.json).ok'), true);
  assert.equal(run('fromJSON(needs.build.outputs.json).list[1]'), 2);
  assert.equal(run("fromJSON('42') == 42"), true);
  assert.throws(
    () => run("fromJSON('{not json')"),
    (e) => isExpressionError(e, 'EXPRESSION_EVALUATION') && /parsing JSON/.test(e.message),
  );
});

test('hashFiles calls the injected implementation with every pattern as text', () => {
  const seen: string[][] = [];
  const ctx: EvalContext = {
    contexts,
    hashFiles: (patterns) => {
      seen.push(patterns);
      return `hash:${patterns.length}`;
    },
  };
  assert.equal(run("hashFiles('**/package-lock.json', format('{0}.lock', 'x'))", ctx), 'hash:2');
  assert.deepEqual(seen, [['**/package-lock.json', 'x.lock']]);
});

test('hashFiles without an implementation throws EXPRESSION_UNSUPPORTED', () => {
  assert.throws(
    () => run("hashFiles('*.lock')"),
    (e) => isExpressionError(e, 'EXPRESSION_UNSUPPORTED') && /hashFiles\(\)/.test(e.message),
  );
});
