// Unit tests of the CEL wrapper: compile errors with positions, type checks, and JSON values as a user expects them.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type CelActivation, compileCel, positionIn, toCelValue } from './cel.js';
import { PolicyError } from './errors.js';

const activation = (after: unknown, extra: Partial<CelActivation> = {}): CelActivation => ({
  resource: toCelValue({
    address: 'aws_instance.web',
    type: 'aws_instance',
    name: 'web',
    module: '',
    action: 'update',
    changed: ['tags'],
    before: null,
    after,
  }),
  environment: 'production',
  plan: toCelValue({ add: 1, change: 2, destroy: 0, replace: 0 }),
  ...extra,
});

const ATTRIBUTES = {
  size: 'small',
  count: 3,
  ratio: 1.5,
  tags: { owner: 'team-a' },
  ports: [80, 443],
  enabled: true,
  note: null,
};

const compileError = (source: string, type: 'bool' | 'string' = 'bool'): PolicyError => {
  try {
    compileCel(source, type);
  } catch (error) {
    assert.ok(error instanceof PolicyError, String(error));
    return error;
  }
  assert.fail(`'${source}' compiled`);
};

describe('evaluating over JSON attributes', () => {
  const cases: [string, boolean][] = [
    ['resource.after.size == "small"', true],
    ['resource.after.count > 2', true],
    ['resource.after.count == 3', true],
    ['resource.after.count + 1 == 4', true],
    ['resource.after.ratio > 1', true],
    ['resource.after.ratio == 1.5', true],
    ['has(resource.after.tags.owner)', true],
    ['has(resource.after.tags.missing)', false],
    ['"owner" in resource.after.tags', true],
    ['resource.action in ["delete", "replace"]', false],
    ['resource.after.ports.all(p, p > 0)', true],
    ['resource.after.ports.exists(p, p == 443)', true],
    ['resource.after.ports.map(p, p * 2) == [160, 886]', true],
    ['resource.after.ports.filter(p, p > 100).size() == 1', true],
    ['resource.address.startsWith("aws_")', true],
    ['resource.name.matches("^[a-z]+$")', true],
    ['resource.after.enabled && resource.after.note == null', true],
    ['resource.changed.exists(c, c == "tags")', true],
    ['environment == "production" && plan.change >= 2', true],
    ['resource.module == ""', true],
  ];
  for (const [source, expected] of cases) {
    test(`${source} is ${expected}`, () => {
      assert.equal(compileCel(source, 'bool').evaluate(activation(ATTRIBUTES)), expected);
    });
  }

  test('a string expression gives its text', () => {
    const program = compileCel('"resize " + resource.address + " to " + resource.after.size', 'string');
    assert.equal(program.evaluate(activation(ATTRIBUTES)), 'resize aws_instance.web to small');
  });
});

describe('compile errors', () => {
  test('a syntax error points at its line and column in the expression', () => {
    const error = compileError('resource.after.size ==\n  ');
    assert.equal(error.code, 'POLICY_EXPRESSION_INVALID');
    assert.equal(error.kind, 'invalid');
    assert.match(error.message, /Unexpected token/);
    assert.deepEqual(error.at, { offset: 25, line: 2, col: 3 });
  });

  test('an unknown variable is refused and the known ones are listed', () => {
    const error = compileError('resorce.type == "x"');
    assert.equal(error.message, 'Unknown variable: resorce (the variables are resource, environment, plan)');
    assert.deepEqual(error.at, { offset: 0, line: 1, col: 1 });
  });

  test('clearly wrong types are refused before anything runs', () => {
    assert.match(compileError('environment > 1').message, /no such overload: string > int/);
    assert.match(compileError('plan.add == "x"').message, /int == string/);
    assert.match(compileError('environment.startsWith(1)').message, /no matching overload/);
    assert.doesNotThrow(() => compileCel('resource.after.size == 1', 'bool'), 'dyn compares with anything');
  });

  test('a condition must be a bool and a message a string', () => {
    assert.equal(compileError('"text"').message, 'must be a bool expression, but it gives string');
    assert.equal(compileError('plan.add', 'string').message, 'must be a string expression, but it gives int');
    assert.doesNotThrow(() => compileCel('resource.after.size', 'string'), 'dyn may be a string at run time');
  });
});

describe('evaluation errors', () => {
  test('a missing key read without has() is a typed error with its position', () => {
    const program = compileCel('resource.after.tags.cost == "x"', 'bool');
    assert.throws(
      () => program.evaluate(activation(ATTRIBUTES)),
      (error) =>
        error instanceof PolicyError &&
        error.code === 'POLICY_EVALUATION_FAILED' &&
        error.message === 'No such key: cost' &&
        error.at?.col === 21,
    );
  });

  test('a dyn expression giving another type than asked is an error', () => {
    const program = compileCel('resource.after.size', 'bool');
    assert.throws(() => program.evaluate(activation(ATTRIBUTES)), /gave a string, not a bool/);
  });
});

test('toCelValue makes whole numbers ints, all the way down, and leaves the rest', () => {
  assert.deepEqual(toCelValue({ a: 1, b: [2, 2.5, { c: -3 }], d: 'x', e: null, f: true, g: 2 ** 60 }), {
    a: 1n,
    b: [2n, 2.5, { c: -3n }],
    d: 'x',
    e: null,
    f: true,
    g: 2 ** 60,
  });
});

test('positionIn counts lines and columns from 1', () => {
  assert.deepEqual(positionIn('ab\ncd', 4), { offset: 4, line: 2, col: 2 });
  assert.deepEqual(positionIn('ab', 99), { offset: 2, line: 1, col: 3 });
});

describe('has() of a nested path', () => {
  const has = (source: string, after: unknown) => compileCel(source, 'bool').evaluate(activation(after));

  test('is false when a step on the way is missing, null or not a map, instead of an error', () => {
    const source = 'has(resource.after.input.tags.owner)';
    assert.equal(has(source, { input: { tags: { owner: 'a' } } }), true);
    assert.equal(has(source, { input: { tags: {} } }), false);
    assert.equal(has(source, { input: { size: 'small' } }), false);
    assert.equal(has(source, { input: null }), false);
    assert.equal(has(source, { input: '(known after apply)' }), false);
    assert.equal(has(source, {}), false);
    assert.equal(has(source, null), false);
  });

  test('works inside macros and next to other has() calls', () => {
    const after = { items: [{ tags: { owner: 'a' } }, { size: 1 }], tags: { x: 1 } };
    assert.equal(has('resource.after.items.exists(i, has(i.tags.owner))', after), true);
    assert.equal(has('resource.after.items.all(i, has(i.tags.owner))', after), false);
    assert.equal(
      has('has(resource.after.tags) && !has(resource.after.tags.y.z) && has(resource.after.tags.x)', after),
      true,
    );
  });

  test('errors after a rewritten has() keep their place in the text the author wrote', () => {
    const program = compileCel('has(resource.after.a.b) || resource.after.c == 1', 'bool');
    assert.throws(
      () => program.evaluate(activation({})),
      (error) => error instanceof PolicyError && error.message === 'No such key: c' && error.at?.col === 43,
    );
  });
});
