// Unit tests of the SARIF schema check: the vendored schema, the messages of invalid logs, and the
// one-pass `uniqueItems` that replaces ajv's pairwise one.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { FindingsError } from './errors.js';
import {
  assertSarifLog,
  canonicalJson,
  jsonPath,
  SARIF_SCHEMA_ID,
  sarifSchemaIssues,
} from './sarif-schema.js';

const fixture = (name: string): unknown =>
  JSON.parse(
    readFileSync(fileURLToPath(new URL(`../../test/fixtures/findings/${name}`, import.meta.url)), 'utf8'),
  );

const minimal = (results: unknown[], extra: Record<string, unknown> = {}) => ({
  version: '2.1.0',
  runs: [{ tool: { driver: { name: 'Scanner', ...extra } }, results }],
});

describe('sarifSchemaIssues', () => {
  test('the vendored file is the OASIS errata 01 schema, unchanged (draft-04)', () => {
    const schema = JSON.parse(
      readFileSync(
        fileURLToPath(new URL('../../schema/sarif/sarif-schema-2.1.0.json', import.meta.url)),
        'utf8',
      ),
    ) as Record<string, unknown>;
    assert.equal(schema.id, SARIF_SCHEMA_ID);
    assert.equal(schema.$schema, 'http://json-schema.org/draft-04/schema#');
  });

  test('accepts the logs of real tools', () => {
    assert.deepEqual(sarifSchemaIssues(fixture('eslint.sarif')), []);
    assert.deepEqual(sarifSchemaIssues(fixture('semgrep.sarif')), []);
    assert.deepEqual(sarifSchemaIssues({ version: '2.1.0', runs: null }), []);
  });

  test('names the JSON path of a bad value', () => {
    assert.deepEqual(sarifSchemaIssues(fixture('bad-level.sarif')), [
      {
        path: 'runs[0].results[2].level',
        message: 'must be equal to one of the allowed values: "none", "note", "warning", "error"',
      },
    ]);
  });

  test('a missing property is reported at its parent, the log itself at the root', () => {
    assert.deepEqual(sarifSchemaIssues(fixture('missing-runs.sarif')), [
      { path: '', message: "must have required property 'runs'" },
    ]);
    assert.deepEqual(sarifSchemaIssues(minimal([{ ruleId: 'x' }])), [
      { path: 'runs[0].results[0]', message: "must have required property 'message'" },
    ]);
  });

  test('the alternatives of an anyOf are joined', () => {
    const log = minimal([
      { message: { text: 'm' }, locations: [{ physicalLocation: { region: { startLine: 1 } } }] },
    ]);
    assert.deepEqual(sarifSchemaIssues(log), [
      {
        path: 'runs[0].results[0].locations[0].physicalLocation',
        message: "must have required property 'address' or must have required property 'artifactLocation'",
      },
    ]);
  });

  test('uniqueItems still holds: two equal rules, keys in another order, are refused', () => {
    const rules = [
      { id: 'a', properties: { tags: ['x'], precision: 'high' } },
      { id: 'b' },
      { properties: { precision: 'high', tags: ['x'] }, id: 'a' },
    ];
    assert.deepEqual(sarifSchemaIssues(minimal([], { rules })), [
      {
        path: 'runs[0].tool.driver.rules',
        message: 'must NOT have duplicate items (items ## 0 and 2 are identical)',
      },
    ]);
    assert.deepEqual(sarifSchemaIssues(minimal([], { rules: rules.slice(0, 2) })), []);
    assert.deepEqual(
      sarifSchemaIssues(minimal([{ message: { text: 'm' }, properties: { tags: ['a', 'a'] } }])),
      [
        {
          path: 'runs[0].results[0].properties.tags',
          message: 'must NOT have duplicate items (items ## 0 and 1 are identical)',
        },
      ],
    );
  });
});

describe('assertSarifLog', () => {
  test('throws FINDINGS_REPORT_INVALID naming the file and the path', () => {
    assert.throws(
      () => assertSarifLog(fixture('bad-level.sarif'), 'reports/eslint.sarif'),
      (error: unknown) => {
        assert.ok(error instanceof FindingsError);
        assert.equal(error.code, 'FINDINGS_REPORT_INVALID');
        assert.equal(error.kind, 'invalid');
        assert.equal(error.file, 'reports/eslint.sarif');
        assert.equal(
          error.message,
          'reports/eslint.sarif: runs[0].results[2].level: must be equal to one of the allowed values: "none", "note", "warning", "error"',
        );
        return true;
      },
    );
  });

  test('shows three problems and counts the rest', () => {
    const bad = { message: { text: 'm' }, level: 'fatal' };
    assert.throws(
      () => assertSarifLog(minimal([bad, bad, bad, bad, bad]), 'r.sarif'),
      (error: unknown) => {
        assert.ok(error instanceof FindingsError);
        assert.equal(error.issues.length, 5);
        assert.match(
          error.message,
          /^r\.sarif: runs\[0\]\.results\[0\]\.level: .*; runs\[0\]\.results\[2\]\.level: .* \(and 2 more\)$/,
        );
        return true;
      },
    );
  });
});

test('jsonPath', () => {
  assert.equal(jsonPath(''), '');
  assert.equal(jsonPath('/runs/0/results/3/level'), 'runs[0].results[3].level');
  assert.equal(jsonPath('/runs/0/properties/security-severity'), 'runs[0].properties.security-severity');
  assert.equal(jsonPath('/runs/0/originalUriBaseIds/%SRCROOT%'), 'runs[0].originalUriBaseIds["%SRCROOT%"]');
  assert.equal(jsonPath('/a~1b'), '["a/b"]');
});

test('canonicalJson sorts keys at every depth', () => {
  assert.equal(canonicalJson({ b: [{ d: 1, c: null }], a: 'x' }), '{"a":"x","b":[{"c":null,"d":1}]}');
  assert.equal(canonicalJson({ x: 1, y: 2 }), canonicalJson({ y: 2, x: 1 }));
});
