// Unit tests of parsePolicyFile: compiled rules from good files, and every problem of a bad one at its file:line:col.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Diagnostic } from './diagnostic.js';
import { formatDiagnostic } from './diagnostic.js';
import { inExpression, parsePolicyFile } from './policy-file.js';

const POLICIES = fileURLToPath(new URL('../../test/fixtures/infra/policies/', import.meta.url));
const FILE = 'policies/base.yaml';

/** The diagnostics of `text` as a user sees them: `file:line:col: severity: path: message`. */
const problems = (text: string): string[] =>
  parsePolicyFile(text, FILE).diagnostics.map((d: Diagnostic) => formatDiagnostic('slipway.yaml', d));

describe('good policy files', () => {
  test('every example policy file parses to compiled rules', () => {
    const names = readdirSync(POLICIES).sort();
    assert.deepEqual(names, [
      'allowed-types-and-sizes.yaml',
      'no-destroy-in-production.yaml',
      'required-tags.yaml',
    ]);
    for (const name of names) {
      const parsed = parsePolicyFile(readFileSync(POLICIES + name, 'utf8'), `policies/${name}`);
      assert.deepEqual(parsed.diagnostics, [], name);
      assert.ok(parsed.value !== undefined && parsed.value.length >= 2, name);
      for (const rule of parsed.value) assert.equal(rule.file, `policies/${name}`);
    }
  });

  test('severity defaults to deny; message and messageExpression are kept', () => {
    const { value } = parsePolicyFile(
      'policies:\n  - name: a\n    expression: "true"\n    message: m\n    messageExpression: \'"x"\'\n',
      FILE,
    );
    assert.equal(value?.length, 1);
    const rule = value![0]!;
    assert.deepEqual(
      [rule.name, rule.severity, rule.message, rule.messageExpression?.source],
      ['a', 'deny', 'm', '"x"'],
    );
  });
});

describe('bad policy files', () => {
  test('a YAML error is positioned in the policy file', () => {
    assert.deepEqual(problems('policies:\n  - name: a\n   expression: [\n'), [
      'policies/base.yaml:3:1: error: YAML syntax: Sequence item without - indicator',
      'policies/base.yaml:4:1: error: YAML syntax: Flow sequence in block collection must be sufficiently indented and end with a ]',
    ]);
  });

  test('an empty file and a file without policies say so', () => {
    assert.deepEqual(problems(''), ['policies/base.yaml:1:1: error: the file is empty']);
    assert.deepEqual(problems('rules: []\n'), [
      "policies/base.yaml:1:1: error: missing required key 'policies'",
      "policies/base.yaml:1:1: error: rules: unknown key 'rules'",
    ]);
  });

  test('unknown keys, wrong types and bad values point at the node', () => {
    const text = [
      'policies:',
      '  - name: no-destroy',
      '    severity: block',
      '    expresion: "true"',
      '  - name: 42',
      '    expression: [true]',
      '',
    ].join('\n');
    assert.deepEqual(problems(text), [
      "policies/base.yaml:2:5: error: policies[0]: missing required key 'expression'",
      "policies/base.yaml:3:15: error: policies[0].severity: expected one of 'deny', 'warn', got string 'block'",
      "policies/base.yaml:4:5: error: policies[0].expresion: unknown key 'expresion' (did you mean 'expression'?)",
      'policies/base.yaml:5:11: error: policies[1].name: expected a string, got number 42',
      'policies/base.yaml:6:17: error: policies[1].expression: expected a string, got a list',
    ]);
  });

  test('a CEL syntax error points inside the expression, plain or quoted', () => {
    const text = [
      'policies:',
      '  - name: a',
      '    expression: resource.action ==',
      '  - name: b',
      '    expression: \'resource.type in ["x" "y"]\'',
      '',
    ].join('\n');
    assert.deepEqual(problems(text), [
      'policies/base.yaml:3:35: error: policies[0].expression: invalid CEL: Unexpected token: EOF',
      'policies/base.yaml:5:40: error: policies[1].expression: invalid CEL: Expected RBRACKET, got STRING',
    ]);
  });

  test('a CEL error on a later line of a literal block points at that line', () => {
    const text = [
      'policies:',
      '  - name: a',
      '    expression: |',
      '      resource.after != null &&',
      '        resource.after.size == environment + 1',
      '',
    ].join('\n');
    assert.deepEqual(problems(text), [
      'policies/base.yaml:5:32: error: policies[0].expression: invalid CEL: no such overload: string + int',
    ]);
  });

  test('a folded expression is positioned at its start', () => {
    const text = 'policies:\n  - name: a\n    expression: >-\n      resource.type ==\n      1 +\n';
    assert.deepEqual(problems(text), [
      'policies/base.yaml:3:17: error: policies[0].expression: invalid CEL: Unexpected token: EOF',
    ]);
  });

  test('clearly wrong types, unknown variables, and a match or message of the wrong type', () => {
    const text = [
      'policies:',
      '  - name: a',
      '    match: environment',
      '    expression: resorce.type == "x"',
      '    messageExpression: plan.add',
      '',
    ].join('\n');
    assert.deepEqual(problems(text), [
      'policies/base.yaml:3:12: error: policies[0].match: invalid CEL: must be a bool expression, but it gives string',
      'policies/base.yaml:4:17: error: policies[0].expression: invalid CEL: Unknown variable: resorce (the variables are resource, environment, plan)',
      'policies/base.yaml:5:24: error: policies[0].messageExpression: invalid CEL: must be a string expression, but it gives int',
    ]);
  });

  test('the CEL of a rule the schema refuses is checked too, and names are unique', () => {
    const text = [
      'policies:',
      '  - name: a',
      '    severity: never',
      '    expression: environment > 1',
      '  - name: a',
      '    expression: "true"',
      '',
    ].join('\n');
    assert.deepEqual(problems(text), [
      "policies/base.yaml:3:15: error: policies[0].severity: expected one of 'deny', 'warn', got string 'never'",
      'policies/base.yaml:4:17: error: policies[0].expression: invalid CEL: no such overload: string > int',
      "policies/base.yaml:5:11: error: policies[1].name: rule 'a' is already declared at 2:11",
    ]);
    assert.equal(parsePolicyFile(text, FILE).value, undefined);
  });
});

test('inExpression falls back to the start of the value when the text is not there verbatim', () => {
  const lines = ['    expression: "a\\"b" == 1'];
  const start = { line: 1, col: 17 };
  assert.deepEqual(inExpression(lines, start, 'a"b == 1', { offset: 5, line: 1, col: 6 }), start);
  assert.deepEqual(
    inExpression(['    expression: ab == 1'], start, 'ab == 1', { offset: 3, line: 1, col: 4 }),
    {
      line: 1,
      col: 20,
    },
  );
  assert.deepEqual(inExpression(lines, start, 'x', undefined), start);
});
