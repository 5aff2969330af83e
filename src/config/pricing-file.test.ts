// Unit tests of parsePricingFile: the example catalogue, defaults, and problems at file:line:col.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { formatDiagnostic } from './diagnostic.js';
import { parsePricingFile } from './pricing-file.js';

const EXAMPLE = fileURLToPath(new URL('../../test/fixtures/infra/pricing.yaml', import.meta.url));

const problems = (text: string): string[] =>
  parsePricingFile(text, 'pricing.yaml').diagnostics.map((d) => formatDiagnostic('slipway.yaml', d));

test('the example catalogue parses, entries in order, match defaulting to none', () => {
  const { value, diagnostics } = parsePricingFile(readFileSync(EXAMPLE, 'utf8'), 'pricing.yaml');
  assert.deepEqual(diagnostics, []);
  assert.equal(value?.currency, 'USD');
  assert.equal(value?.prices.length, 7);
  assert.deepEqual(value?.prices[0], {
    type: 'aws_instance',
    match: { instance_type: 't3.micro' },
    monthly: 7.59,
  });
  assert.deepEqual(value?.prices[5], { type: 'terraform_data', match: {}, monthly: 0 });
});

test('currency defaults to USD', () => {
  assert.equal(parsePricingFile('prices: []\n', 'pricing.yaml').value?.currency, 'USD');
});

test('unknown keys, wrong types, negative prices and bad codes point at the node', () => {
  const text = [
    'currency: usd',
    'prices:',
    '  - type: aws_instance',
    '    match: { instance_type: [t3.micro] }',
    '    monthly: -1',
    '  - type: aws_s3_bucket',
    '    price: 2.3',
    '  - type: terraform_data',
    '    match: { "input..size": small }',
    '    monthly: "12"',
    '',
  ].join('\n');
  assert.deepEqual(problems(text), [
    'pricing.yaml:1:11: error: currency: an ISO 4217 currency code, e.g. USD or EUR',
    'pricing.yaml:4:29: error: prices[0].match.instance_type: expected a string or a number or true or false, got a list',
    'pricing.yaml:5:14: error: prices[0].monthly: a monthly price is 0 or more',
    "pricing.yaml:6:5: error: prices[1]: missing required key 'monthly'",
    "pricing.yaml:7:5: error: prices[1].price: unknown key 'price'",
    "pricing.yaml:9:14: error: prices[2].match.input..size: invalid name 'input..size': an attribute path is names joined by dots, e.g. `input.size`",
    "pricing.yaml:10:14: error: prices[2].monthly: expected a number, got string '12'",
  ]);
  assert.equal(parsePricingFile(text, 'pricing.yaml').value, undefined);
});

test('a YAML error and an empty file are errors in the catalogue', () => {
  assert.deepEqual(problems('prices: [\n'), [
    'pricing.yaml:2:1: error: YAML syntax: Flow sequence in block collection must be sufficiently indented and end with a ]',
  ]);
  assert.deepEqual(problems('# nothing\n'), ['pricing.yaml:1:1: error: the file is empty']);
});

test('an entry an earlier one always wins over is a warning, and the catalogue is still read', () => {
  const text = [
    'prices:',
    '  - type: aws_instance',
    '    monthly: 10',
    '  - type: aws_instance',
    '    match: { instance_type: t3.micro }',
    '    monthly: 7.59',
    '  - type: terraform_data',
    '    match: { input.size: small }',
    '    monthly: 1',
    '  - type: terraform_data',
    '    match: { input.size: small, input.zone: a }',
    '    monthly: 2',
    '  - type: terraform_data',
    '    match: { input.size: large }',
    '    monthly: 3',
    '',
  ].join('\n');
  const { value } = parsePricingFile(text, 'pricing.yaml');
  assert.equal(value?.prices.length, 5);
  assert.deepEqual(problems(text), [
    'pricing.yaml:4:5: warning: prices[1]: never used: the entry at 2:5 matches every resource this one does, and the first match wins',
    'pricing.yaml:10:5: warning: prices[3]: never used: the entry at 7:5 matches every resource this one does, and the first match wins',
  ]);
});
