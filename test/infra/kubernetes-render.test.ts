// Renders a kustomization (a base and a production overlay, built in a temp dir) with the real
// `kubectl kustomize`, then validates what it made offline; needs kubectl (test/helpers/outside-program.ts).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, type TestContext, test } from 'node:test';
import { KubernetesSchemas } from '../../src/infra/kubernetes/kubernetes-schemas.js';
import { checkKubernetes } from '../../src/infra/kubernetes/kubernetes-step.js';
import { KUBECTL, skipWithout } from '../helpers/outside-program.js';

const BASE = {
  'kustomization.yaml': 'resources:\n  - deployment.yaml\n  - service.yaml\n',
  'deployment.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  selector:
    matchLabels: { app: web }
  template:
    metadata:
      labels: { app: web }
    spec:
      containers:
        - name: web
          image: registry.example.com/web:1.0.0
          ports: [{ name: http, containerPort: 8080 }]
`,
  'service.yaml': `apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: { app: web }
  ports: [{ port: 80, targetPort: http }]
`,
};

const overlay = (patch: string) => ({
  'kustomization.yaml': `resources:
  - ../../base
namespace: web
namePrefix: prod-
commonLabels:
  env: production
images:
  - name: registry.example.com/web
    newTag: 1.4.2
patches:
  - path: replicas.yaml
`,
  'replicas.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
${patch}`,
});

function project(t: TestContext, files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-kustomize-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

const prefixed = (prefix: string, files: Record<string, string>) =>
  Object.fromEntries(Object.entries(files).map(([path, text]) => [`${prefix}/${path}`, text]));

describe('kustomize rendering', { skip: skipWithout(KUBECTL) }, () => {
  const schemas = new KubernetesSchemas();
  const options = { kubectl: KUBECTL.command, env: process.env, schemas };

  test('an overlay renders with its prefix, labels, namespace and patch, and validates', async (t) => {
    const dir = project(t, {
      ...prefixed('base', BASE),
      ...prefixed('overlays/production', overlay('  replicas: 5\n')),
    });
    const manifests = join(dir, 'overlays/production');
    const check = await checkKubernetes({ manifests, version: '1.35' }, options);
    assert.deepEqual(check.issues, []);
    assert.deepEqual(
      check.manifests.map((m) => [m.origin, m.file, m.kind, m.name, m.namespace]),
      [
        ['kustomize', manifests, 'Service', 'prod-web', 'web'],
        ['kustomize', manifests, 'Deployment', 'prod-web', 'web'],
      ],
    );
    const deployment = check.manifests[1]?.object as {
      metadata: { labels: object };
      spec: {
        replicas: number;
        selector: { matchLabels: object };
        template: { spec: { containers: { image: string }[] } };
      };
    };
    assert.deepEqual(deployment.metadata.labels, { env: 'production' });
    assert.deepEqual(deployment.spec.selector.matchLabels, { app: 'web', env: 'production' });
    assert.equal(deployment.spec.replicas, 5);
    assert.equal(deployment.spec.template.spec.containers[0]?.image, 'registry.example.com/web:1.4.2');
  });

  test('a typo a patch brings in is caught in the rendered output (no line: it is not the user’s file)', async (t) => {
    const dir = project(t, {
      ...prefixed('base', BASE),
      ...prefixed('overlays/production', overlay('  replica: 5\n')),
    });
    const manifests = join(dir, 'overlays/production');
    const check = await checkKubernetes({ manifests, version: '1.35' }, options);
    assert.deepEqual(check.issues, [
      {
        severity: 'error',
        file: manifests,
        document: 1,
        kind: 'Deployment',
        name: 'prod-web',
        path: 'spec.replica',
        message: 'unknown field "replica" (did you mean "replicas"?)',
      },
    ]);
  });

  test('a kustomization that does not build is INFRA_MANIFEST_INVALID with kustomize’s words', async (t) => {
    const dir = project(t, { 'kustomization.yaml': 'resources:\n  - missing.yaml\n' });
    await assert.rejects(checkKubernetes({ manifests: dir, version: '1.35' }, options), {
      code: 'INFRA_MANIFEST_INVALID',
      message: /does not build: kubectl kustomize .* failed \(exit 1\): .*missing\.yaml/s,
    });
  });
});
