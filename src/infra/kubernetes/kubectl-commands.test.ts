// Unit tests of the kubectl command lines and the manifest stream, compared as plain data.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { applyArgs, diffArgs, dryRunArgs, kustomizeArgs, manifestStream } from './kubectl-commands.js';
import type { RenderedManifest } from './manifest-issue.js';

const FULL = { kubeconfig: '/etc/kube/config', context: 'prod-cluster', namespace: 'web' };

test('kustomize renders a directory', () => {
  assert.deepEqual(kustomizeArgs('/srv/app/k8s/production'), ['kustomize', '/srv/app/k8s/production']);
});

test('the dry run is server-side, as Slipway, against the named cluster and namespace', () => {
  assert.deepEqual(dryRunArgs(FULL, '-'), [
    'apply',
    '--server-side',
    '--field-manager=slipway',
    '--dry-run=server',
    '--kubeconfig',
    '/etc/kube/config',
    '--context',
    'prod-cluster',
    '-n',
    'web',
    '-f',
    '-',
  ]);
});

test('diff and apply take the same target; what is unset is left to kubectl', () => {
  assert.deepEqual(diffArgs({}, '/plans/7/manifests.yaml'), [
    'diff',
    '--server-side',
    '--field-manager=slipway',
    '-f',
    '/plans/7/manifests.yaml',
  ]);
  assert.deepEqual(applyArgs({ context: 'prod-cluster' }, '/plans/7/manifests.yaml'), [
    'apply',
    '--server-side',
    '--field-manager=slipway',
    '--context',
    'prod-cluster',
    '-f',
    '/plans/7/manifests.yaml',
  ]);
});

const manifest = (kind: string, name: string, object: object): RenderedManifest => ({
  file: 'm.yaml',
  origin: 'file',
  document: 0,
  kind,
  name,
  object: { kind, metadata: { name }, ...object },
});

test('the stream holds each object as JSON, namespaces and CRDs first, the rest in order', () => {
  const stream = manifestStream([
    manifest('Deployment', 'web', { spec: { replicas: 2 } }),
    manifest('ConfigMap', 'flags', { data: { enabled: 'yes', mode: '0644' } }),
    manifest('CustomResourceDefinition', 'widgets.example.com', {}),
    manifest('Namespace', 'web', {}),
  ]);
  const docs = parseAllDocuments(stream, { version: '1.1' });
  assert.ok(Array.isArray(docs));
  assert.deepEqual(
    docs.map((d) => d.toJS()),
    [
      { kind: 'Namespace', metadata: { name: 'web' } },
      { kind: 'CustomResourceDefinition', metadata: { name: 'widgets.example.com' } },
      { kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: 2 } },
      // Quoted JSON strings stay strings even to a YAML 1.1 reader such as kubectl.
      { kind: 'ConfigMap', metadata: { name: 'flags' }, data: { enabled: 'yes', mode: '0644' } },
    ],
  );
  assert.ok(stream.startsWith('---\n{'));
  assert.equal(manifestStream([]), '');
});
