// Unit tests of the paths and words issues are written with.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ErrorObject } from 'ajv';
import { describeSchemaError, fieldPath, pointerPath } from './schema-error.js';

const error = (keyword: string, params: object, extra: Partial<ErrorObject> = {}): ErrorObject => ({
  keyword,
  params,
  instancePath: '',
  schemaPath: '',
  ...extra,
});

test('a JSON pointer becomes a path with list indexes, and the path reads as kubectl writes it', () => {
  const path = pointerPath('/spec/containers/0/env/1/value');
  assert.deepEqual(path, ['spec', 'containers', 0, 'env', 1, 'value']);
  assert.equal(fieldPath(path), 'spec.containers[0].env[1].value');
  assert.deepEqual(pointerPath('/metadata/labels/app.kubernetes.io~1name'), [
    'metadata',
    'labels',
    'app.kubernetes.io/name',
  ]);
  assert.equal(
    fieldPath(['metadata', 'labels', 'app.kubernetes.io/name']),
    'metadata.labels["app.kubernetes.io/name"]',
  );
  assert.equal(fieldPath([]), '');
  assert.equal(fieldPath(['items', 0]), 'items[0]');
});

test('an unknown field suggests a close known one, and only a close one', () => {
  const parentSchema = { properties: { replicas: {}, selector: {}, template: {} } };
  assert.equal(
    describeSchemaError(error('additionalProperties', { additionalProperty: 'replica' }, { parentSchema })),
    'unknown field "replica" (did you mean "replicas"?)',
  );
  assert.equal(
    describeSchemaError(error('additionalProperties', { additionalProperty: 'Selector' }, { parentSchema })),
    'unknown field "Selector" (did you mean "selector"?)',
  );
  assert.equal(
    describeSchemaError(error('additionalProperties', { additionalProperty: 'image' }, { parentSchema })),
    'unknown field "image"',
  );
});

test('type, required and enum errors', () => {
  assert.equal(
    describeSchemaError(error('type', { type: ['integer', 'string'] }, { data: [1] })),
    'must be integer or string, not a list',
  );
  assert.equal(
    describeSchemaError(error('type', { type: 'object' }, { data: 3 })),
    'must be object, not the number 3',
  );
  assert.equal(
    describeSchemaError(error('required', { missingProperty: 'name' })),
    'missing required field "name"',
  );
  assert.equal(
    describeSchemaError(error('enum', { allowedValues: ['Always', 'Never'] })),
    'must be one of "Always", "Never"',
  );
});
