// Unit tests of flagDocumentIssues: flagd-schemas' own test documents (test/fixtures/flagd-schemas/),
// then the checks the schema cannot make.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { flagDocumentIssues } from './flagd-schema.js';

const FIXTURES = fileURLToPath(new URL('../../test/fixtures/flagd-schemas/', import.meta.url));
const TESTKIT = fileURLToPath(
  new URL('../../test/fixtures/flagd-testbed/flags/testkit-flags.json', import.meta.url),
);

const read = (path: string): unknown => JSON.parse(readFileSync(path, 'utf8'));
const filesIn = (dir: string) =>
  readdirSync(join(FIXTURES, dir))
    .filter((name) => name.endsWith('.json'))
    .sort();

/** A targeting document of flagd-schemas as the targeting of a string flag, `some-ref` defined. */
const withTargeting = (targeting: unknown) => ({
  flags: { f: { state: 'ENABLED', variants: { a: 'a', b: 'b' }, defaultVariant: 'a', targeting } },
  $evaluators: { 'some-ref': { '==': [1, 1] } },
});

describe('flagd-schemas positive documents', () => {
  for (const name of filesIn('test/flags/positive')) {
    const doc = read(join(FIXTURES, 'test/flags/positive', name)) as { $schema: string };
    if (name === 'example.flagdimport.array.json') continue;
    test(`${name} has no issue`, () => assert.deepEqual(flagDocumentIssues(doc), []));
  }

  test('the positive set is the one vendored (a file added upstream shows up here)', () => {
    assert.equal(filesIn('test/flags/positive').length, 9);
    assert.equal(filesIn('test/targeting/positive').length, 7);
  });

  test('examples/minimal.json has no issue', () => {
    assert.deepEqual(flagDocumentIssues(read(join(FIXTURES, 'examples/minimal.json'))), []);
  });

  test("flags as an array (flagd's daemon format, positive upstream under flagd.json) is refused at flags", () => {
    const doc = read(join(FIXTURES, 'test/flags/positive/example.flagdimport.array.json')) as {
      $schema: string;
    };
    assert.equal(doc.$schema, '../../../flagd.json');
    assert.deepEqual(flagDocumentIssues(doc), [{ path: ['flags'], message: 'must be object' }]);
  });

  for (const name of filesIn('test/targeting/positive')) {
    test(`targeting ${name} has no issue as a flag's targeting`, () => {
      assert.deepEqual(
        flagDocumentIssues(withTargeting(read(join(FIXTURES, 'test/targeting/positive', name)))),
        [],
      );
    });
  }
});

describe('flagd-schemas negative documents fail with a path', () => {
  const flags: Record<string, { path: (string | number)[]; message: RegExp }> = {
    'empty-variants.json': { path: ['flags', 'myBoolFlag', 'variants'], message: /fewer than 1 properties/ },
    'malformed-flag.json': {
      path: ['flags', 'not-a-flag'],
      message: /missing 'state'; or missing 'variants'/,
    },
    'missing-variants.json': { path: ['flags', 'myBoolFlag'], message: /^missing 'variants'$/ },
    'mixed-variant-types.ffconfig.json': {
      path: ['flags', 'myBoolFlag', 'variants', 'off'],
      message: /^must be boolean$/,
    },
    'state-set-incorrectly.json': {
      path: ['flags', 'myBoolFlag', 'state'],
      message: /^must be one of "ENABLED", "DISABLED"$/,
    },
    'with-array-flags.json': { path: ['flags'], message: /^must be object$/ },
    'with-invalid-flag-metadata.json': {
      path: ['flags', 'myBoolFlag', 'metadata', 'invalid'],
      message: /must be string,number,boolean/,
    },
    'with-invalid-flag-set-metadata.json': {
      path: ['metadata', 'invalid'],
      message: /must be string,number,boolean/,
    },
    'with-invalid-targeting.json': {
      path: ['flags', 'targetedFlag', 'targeting'],
      message: /^unknown key 'not-a-real-rule'$/,
    },
  };
  test('every negative flags document has an expectation', () => {
    assert.deepEqual(filesIn('test/flags/negative'), Object.keys(flags).sort());
  });
  for (const [name, expected] of Object.entries(flags)) {
    test(name, () => {
      const issues = flagDocumentIssues(read(join(FIXTURES, 'test/flags/negative', name)));
      assert.equal(issues.length, 1, JSON.stringify(issues));
      assert.deepEqual(issues[0]!.path, expected.path);
      assert.match(issues[0]!.message, expected.message);
    });
  }

  const t = ['flags', 'f', 'targeting'];
  const targeting: Record<string, { path: (string | number)[]; message: RegExp }> = {
    'fractional-decimal-weighting.json': { path: [...t, 'fractional', 1, 1], message: /must be integer/ },
    'fractional-invalid-bucketing.json': { path: [...t, 'fractional', 0], message: /must be array/ },
    'fractional-invalid-weighting.json': { path: [...t, 'fractional', 1, 1], message: /must be integer/ },
    'fractional-negative-weighting.json': { path: [...t, 'fractional', 1, 1], message: /must be >= 0/ },
    'invalid-ends-with-param.json': { path: [...t, 'if', 0, 'ends_with', 1], message: /must be string/ },
    'invalid-flagd-props.json': {
      path: [...t, 'if', 0, '==', 0, 'var'],
      message: /timestamp\)\|\(flagKey/,
    },
    'invalid-starts-with-param.json': { path: [...t, 'if', 0, 'starts_with', 1], message: /must be string/ },
    'sem-ver-invalid-range-specifier.json': {
      path: [...t, 'if', 0, 'sem_ver', 1],
      message: /must be one of "=", "!=", ">", "<", ">=", "<=", "~", "\^"/,
    },
    'sem-ver-invalid-ver-expression.json': {
      path: [...t, 'if', 0, 'sem_ver', 2],
      message: /must match pattern/,
    },
  };
  test('every negative targeting document has an expectation', () => {
    assert.deepEqual(filesIn('test/targeting/negative'), Object.keys(targeting).sort());
  });
  for (const [name, expected] of Object.entries(targeting)) {
    test(`targeting ${name}`, () => {
      const issues = flagDocumentIssues(withTargeting(read(join(FIXTURES, 'test/targeting/negative', name))));
      assert.equal(issues.length, 1, JSON.stringify(issues));
      assert.deepEqual(issues[0]!.path, expected.path);
      assert.match(issues[0]!.message, expected.message);
    });
  }

  test('examples/full.json: exactly the two rules it writes to fail (ends_with 3, sem_ver 2.0.0.0)', () => {
    const issues = flagDocumentIssues(read(join(FIXTURES, 'examples/full.json')));
    assert.deepEqual(
      issues.map((i) => i.path),
      [
        ['flags', 'starts-ends-flag', 'targeting', 'if', 2, 'if', 2, 'if', 0, 'ends_with', 1],
        [
          'flags',
          'equal-greater-lesser-version-flag',
          'targeting',
          'if',
          2,
          'if',
          2,
          'if',
          2,
          'if',
          0,
          'sem_ver',
          2,
        ],
      ],
    );
  });
});

describe('what the schema cannot say', () => {
  test('a default variant that is not a variant, at flags.<key>.defaultVariant', () => {
    const issues = flagDocumentIssues({
      flags: { banner: { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'of' } },
    });
    assert.deepEqual(issues, [
      {
        path: ['flags', 'banner', 'defaultVariant'],
        message: "default variant 'of' is not one of the variants of 'banner' (on, off)",
      },
    ]);
  });

  test('null and absent default variants are fine (the code default applies)', () => {
    const variants = { on: true, off: false };
    assert.deepEqual(
      flagDocumentIssues({
        flags: { a: { state: 'ENABLED', variants, defaultVariant: null }, b: { state: 'ENABLED', variants } },
      }),
      [],
    );
  });

  test('a $ref naming no evaluator, at the $ref, listing the evaluators there are', () => {
    const targeting = { if: [{ $ref: 'is_staff' }, 'on', { if: [{ $ref: 'is_beta' }, 'on', null] }] };
    const doc = {
      flags: {
        banner: { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'off', targeting },
      },
      $evaluators: { is_staff: { ends_with: [{ var: 'email' }, '@example.com'] } },
    };
    assert.deepEqual(flagDocumentIssues(doc), [
      {
        path: ['flags', 'banner', 'targeting', 'if', 2, 'if', 0, '$ref'],
        message: "'$ref' names no evaluator 'is_beta' ($evaluators: is_staff)",
      },
    ]);
    const { $evaluators: _, ...without } = doc;
    assert.deepEqual(
      flagDocumentIssues(without).map((i) => i.message),
      [
        "'$ref' names no evaluator 'is_staff' ($evaluators is empty)",
        "'$ref' names no evaluator 'is_beta' ($evaluators is empty)",
      ],
    );
  });

  test("flagd's testkit flags: what the schema refuses is the operator-error cases, and the $ref to no evaluator", () => {
    const issues = flagDocumentIssues(read(TESTKIT));
    assert.deepEqual(
      issues.map((i) => i.path.slice(0, 2).join('.')),
      [
        'flags.semver-invalid-operator-flag',
        'flags.semver-v-prefix-flag',
        'flags.semver-partial-version-flag',
        'flags.semver-numeric-context-flag',
        'flags.starts-with-wrong-args-flag',
        'flags.ends-with-wrong-args-flag',
        'flags.fractional-negative-weight-flag',
        'flags.semver-wrong-args-flag',
        'flags.ref-to-nonexistent-evaluator-flag',
      ],
    );
    assert.deepEqual(issues.at(-1), {
      path: ['flags', 'ref-to-nonexistent-evaluator-flag', 'targeting', 'if', 0, '$ref'],
      message: "'$ref' names no evaluator 'nonexistent_evaluator' ($evaluators: is_ballmer)",
    });
  });

  test('a flag key holding / and ~ comes back as written, not as a JSON pointer', () => {
    const issues = flagDocumentIssues({ flags: { 'team/a~b': { state: 'ON', variants: { on: true } } } });
    assert.deepEqual(issues, [
      { path: ['flags', 'team/a~b', 'state'], message: 'must be one of "ENABLED", "DISABLED"' },
    ]);
  });

  test('a value that is not a document is one issue at the root, never an exception', () => {
    for (const doc of [null, undefined, 5, 'flags', []])
      assert.deepEqual(flagDocumentIssues(doc), [{ path: [], message: 'must be object' }], String(doc));
    assert.deepEqual(flagDocumentIssues({}), [{ path: [], message: "missing 'flags'" }]);
  });

  test('several flags wrong at once: each reported against its own type, the unknown default too', () => {
    const issues = flagDocumentIssues({
      flags: {
        a: { state: 'ENABLED', variants: { on: true, off: 'no' }, defaultVariant: 'on' },
        b: { state: 'enabled', variants: { one: 1, two: 2 }, defaultVariant: 'one' },
        c: { state: 'ENABLED', variants: { one: 1, two: 2 }, defaultVariant: 'three' },
      },
    });
    assert.deepEqual(issues, [
      { path: ['flags', 'a', 'variants', 'off'], message: 'must be boolean' },
      { path: ['flags', 'b', 'state'], message: 'must be one of "ENABLED", "DISABLED"' },
      {
        path: ['flags', 'c', 'defaultVariant'],
        message: "default variant 'three' is not one of the variants of 'c' (one, two)",
      },
    ]);
  });
});
