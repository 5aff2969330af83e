// Unit tests of KubernetesSchemas: which release a version names, what a lookup finds, and its cache.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KUBERNETES_VERSIONS } from '../../config/infrastructure-schema.js';
import { KubernetesSchemas, schemaVersion } from './kubernetes-schemas.js';

const schemas = new KubernetesSchemas();

test('a version names a shipped release, with or without v and patch', () => {
  assert.equal(schemaVersion('1.35'), '1.35');
  assert.equal(schemaVersion('v1.33'), '1.33');
  assert.equal(schemaVersion('1.32.7'), '1.32');
  assert.equal(schemaVersion('1.31'), undefined);
  assert.equal(schemaVersion('latest'), undefined);
});

test('every release config accepts has its schema file', () => {
  for (const version of KUBERNETES_VERSIONS)
    assert.equal(schemas.lookup(version, 'v1', 'ConfigMap').status, 'found', version);
});

test('a lookup tells a built-in kind, a custom resource and a kind the release lacks apart', () => {
  assert.equal(schemas.lookup('1.35', 'apps/v1', 'Deployment').status, 'found');
  assert.deepEqual(schemas.lookup('1.35', 'cert-manager.io/v1', 'Certificate'), { status: 'custom' });
  assert.deepEqual(schemas.lookup('1.35', 'apps/v1beta1', 'Deployment'), {
    status: 'unknown',
    servedAs: ['apps/v1'],
  });
  assert.deepEqual(schemas.lookup('1.35', 'v1', 'Nonsense'), { status: 'unknown', servedAs: [] });
  // A group the release knows, at a version it dropped, is not a custom resource.
  assert.deepEqual(schemas.lookup('1.35', 'policy/v1beta1', 'PodSecurityPolicy'), {
    status: 'unknown',
    servedAs: [],
  });
});

test('validators are compiled once per release and definition', () => {
  const a = schemas.lookup('1.34', 'v1', 'Service');
  const b = schemas.lookup('1.34', 'v1', 'Service');
  const c = schemas.lookup('1.35', 'v1', 'Service');
  assert.ok(a.status === 'found' && b.status === 'found' && c.status === 'found');
  assert.equal(a.validate, b.validate);
  assert.notEqual(a.validate, c.validate);
});
