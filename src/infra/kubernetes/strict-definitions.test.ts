// Unit tests of strictDefinitions: the rewrite of OpenAPI v2 definitions, compared as plain data.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { QUANTITY_DEFINITION, QUANTITY_PATTERN, strictDefinitions } from './strict-definitions.js';

test('objects with declared fields are closed, at every depth', () => {
  const out = strictDefinitions({
    A: {
      type: 'object',
      properties: {
        spec: { type: 'object', properties: { n: { type: 'integer' } } },
        list: { type: 'array', items: { type: 'object', properties: { k: { type: 'string' } } } },
      },
    },
  });
  assert.deepEqual(out.A, {
    type: 'object',
    properties: {
      spec: { type: 'object', properties: { n: { type: 'integer' } }, additionalProperties: false },
      list: {
        type: 'array',
        items: { type: 'object', properties: { k: { type: 'string' } }, additionalProperties: false },
      },
    },
    additionalProperties: false,
  });
});

test('maps, open objects and preserve-unknown-fields stay open', () => {
  const input = {
    Map: { type: 'object', additionalProperties: { type: 'string' } },
    Raw: { type: 'object' },
    Preserve: {
      type: 'object',
      properties: { a: { type: 'string' } },
      'x-kubernetes-preserve-unknown-fields': true,
    },
  };
  const out = strictDefinitions(input);
  assert.deepEqual(out.Map, input.Map);
  assert.deepEqual(out.Raw, input.Raw);
  assert.deepEqual(out.Preserve, input.Preserve);
});

test('int-or-string takes both; a quantity takes a number or a quantity string', () => {
  const out = strictDefinitions({
    IntOrString: { type: 'string', format: 'int-or-string' },
    [QUANTITY_DEFINITION]: { type: 'string' },
    Port: { type: 'object', properties: { port: { type: 'string', 'x-kubernetes-int-or-string': true } } },
  });
  assert.deepEqual(out.IntOrString, { type: ['integer', 'string'] });
  assert.deepEqual(out[QUANTITY_DEFINITION], { type: ['string', 'number'], pattern: QUANTITY_PATTERN });
  assert.deepEqual(out.Port?.properties, { port: { type: ['integer', 'string'] } });
});

test('the quantity pattern takes what apimachinery parses and refuses the rest', () => {
  const quantity = new RegExp(QUANTITY_PATTERN);
  for (const ok of ['1', '250m', '0.5', '.5', '512Mi', '1Gi', '1e3', '+2', '1.5E-3', '100k'])
    assert.ok(quantity.test(ok), ok);
  for (const bad of ['512mb', '1 Gi', 'Gi', '', '1.2.3', '10KB']) assert.ok(!quantity.test(bad), bad);
});

test('the input is left as it is', () => {
  const input = { A: { type: 'object', properties: { a: { type: 'string' } } } };
  const copy = structuredClone(input);
  strictDefinitions(input);
  assert.deepEqual(input, copy);
});
