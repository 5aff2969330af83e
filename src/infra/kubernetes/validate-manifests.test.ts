// Unit tests of validateManifests against the vendored schemas: what passes, each kind of error with
// the place it points at, custom resources, release differences, and the speed of a large set.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { KubernetesSchemas } from './kubernetes-schemas.js';
import type { ManifestIssue } from './manifest-issue.js';
import { validateManifests } from './validate-manifests.js';

const schemas = new KubernetesSchemas();
const WEB_APP = fileURLToPath(new URL('../../../test/fixtures/infra/k8s/web-app/', import.meta.url));

const check = (text: string, version = '1.35') =>
  validateManifests([{ file: 'app.yaml', origin: 'file', text }], { version, schemas });

/** The issues as `line:col severity path: message`, easy to compare whole. */
const brief = (issues: readonly ManifestIssue[]) =>
  issues.map((i) => `${i.line ?? '-'}:${i.col ?? '-'} ${i.severity} ${i.path}: ${i.message}`);

const deployment = (spec: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
${spec}`;

const SELECTOR_AND_TEMPLATE = `  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      containers: [{ name: web, image: nginx }]`;

describe('validateManifests', () => {
  test('a Deployment, a Service and a JSON ConfigMap pass, in every shipped release', () => {
    const sources = ['deployment.yaml', 'service.yaml', 'config/settings.json'].map((name) => ({
      file: name,
      origin: 'file' as const,
      text: readFileSync(`${WEB_APP}${name}`, 'utf8'),
    }));
    for (const version of ['1.32', '1.33', '1.34', '1.35']) {
      const result = validateManifests(sources, { version, schemas });
      assert.deepEqual(result.issues, [], version);
      assert.deepEqual(
        result.manifests.map((m) => `${m.file}#${m.document} ${m.apiVersion} ${m.kind} ${m.name}`),
        [
          'deployment.yaml#0 apps/v1 Deployment web',
          'service.yaml#0 v1 Service web',
          'config/settings.json#0 v1 ConfigMap web-settings',
        ],
      );
    }
  });

  test('kubectl reads 0644 as octal, and so does the manifest handed on', () => {
    const text = readFileSync(`${WEB_APP}deployment.yaml`, 'utf8');
    const object = check(text).manifests[0]?.object as {
      spec: { template: { spec: { volumes: { configMap: object }[] } } };
    };
    assert.deepEqual(object.spec.template.spec.volumes[0]?.configMap, {
      name: 'web-settings',
      defaultMode: 0o644,
    });
  });

  test('a typo (replica) is an unknown field, at its line and column, with the field meant', () => {
    const result = check(deployment(`  replica: 3\n${SELECTOR_AND_TEMPLATE}`));
    assert.deepEqual(brief(result.issues), [
      '6:3 error spec.replica: unknown field "replica" (did you mean "replicas"?)',
    ]);
    assert.equal(result.issues[0]?.kind, 'Deployment');
    assert.equal(result.issues[0]?.name, 'web');
    assert.equal(result.issues[0]?.file, 'app.yaml');
    assert.equal(result.issues[0]?.document, 0);
  });

  test('a value of the wrong type is an error naming both types', () => {
    const result = check(deployment(`  replicas: "three"\n${SELECTOR_AND_TEMPLATE}`));
    assert.deepEqual(brief(result.issues), [
      '6:3 error spec.replicas: must be integer, not the string "three"',
    ]);
  });

  test('YAML 1.1 scalars are read as kubectl reads them: `value: yes` is a boolean, not a string', () => {
    const result = check(
      deployment(
        `${SELECTOR_AND_TEMPLATE.replace('image: nginx', 'image: nginx, env: [{ name: A, value: yes }]')}`,
      ),
    );
    assert.deepEqual(brief(result.issues), [
      '10:64 error spec.template.spec.containers[0].env[0].value: must be string, not the boolean true',
    ]);
  });

  test('a missing required field, a bad quantity and an int-or-string port', () => {
    const result = check(
      deployment(`  template:
    spec:
      containers:
        - name: web
          resources: { limits: { memory: 512mb, cpu: 2 } }
          ports: [{ containerPort: 80 }]
          livenessProbe: { httpGet: { port: 80 } }
          readinessProbe: { httpGet: { port: http } }`),
    );
    assert.deepEqual(brief(result.issues), [
      '5:1 error spec.selector: missing required field "selector"',
      '10:34 error spec.template.spec.containers[0].resources.limits.memory: "512mb" is not a quantity (such as 250m, 0.5, 512Mi or 2)',
    ]);
  });

  test('null fields are dropped as kubectl drops them', () => {
    assert.deepEqual(check(deployment(`  replicas: null\n  paused:\n${SELECTOR_AND_TEMPLATE}`)).issues, []);
  });

  test('a document without kind, apiVersion or name is reported field by field', () => {
    const result = check(
      'apiVersion: v1\nmetadata:\n  labels: { a: b }\n---\nkind: ConfigMap\nmetadata: { name: x }\n',
    );
    assert.deepEqual(brief(result.issues), [
      '1:1 error kind: kind is missing',
      '2:1 error metadata.name: metadata.name is missing',
      '5:1 error apiVersion: apiVersion is missing',
    ]);
    assert.deepEqual(
      result.issues.map((i) => i.document),
      [0, 0, 1],
    );
  });

  test('an apiVersion that is not a string is said so', () => {
    assert.deepEqual(brief(check('apiVersion: 1\nkind: ConfigMap\nmetadata: { name: a }\n').issues), [
      '1:1 error apiVersion: apiVersion must be a string',
    ]);
  });

  test('a document that is not a mapping is an error', () => {
    assert.deepEqual(brief(check('- a\n- b\n').issues), [
      '1:1 error : not a Kubernetes object: a document must be a mapping with apiVersion, kind and metadata',
    ]);
  });

  test('YAML that does not parse is an error at its place; the other documents are still checked', () => {
    const result = check('apiVersion: v1\nkind: ConfigMap\nmetadata: { name: ok }\n---\ndata: [\n  a: b\n');
    assert.equal(result.issues.length > 0, true);
    assert.ok(result.issues.every((i) => i.severity === 'error' && i.document === 1 && i.line !== undefined));
    assert.match(result.issues[0]?.message ?? '', /^YAML does not parse: /);
    assert.deepEqual(
      result.manifests.map((m) => m.name),
      ['ok'],
    );
  });

  test('a kind the release does not serve is an error that names where it is served', () => {
    const result = check(
      'apiVersion: networking.k8s.io/v1\nkind: ServiceCIDR\nmetadata: { name: x }\n',
      '1.32',
    );
    assert.deepEqual(brief(result.issues), [
      '2:1 error kind: Kubernetes 1.32 has no ServiceCIDR in networking.k8s.io/v1; it serves ServiceCIDR as networking.k8s.io/v1beta1',
    ]);
    assert.deepEqual(
      brief(check('apiVersion: extensions/v1beta1\nkind: Ingress\nmetadata: { name: x }\n').issues),
      [
        '2:1 error kind: Kubernetes 1.35 has no Ingress in extensions/v1beta1; it serves Ingress as networking.k8s.io/v1',
      ],
    );
  });

  test('a custom resource is not validated, with a warning', () => {
    const result = check(
      'apiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata: { name: web }\n',
    );
    assert.deepEqual(brief(result.issues), [
      '1:1 warning : not validated: no schema for monitoring.coreos.com/v1/ServiceMonitor in Kubernetes 1.35',
    ]);
  });

  test('a field added in 1.34 (PodSpec.hostnameOverride) passes on 1.35 and is unknown on 1.32', () => {
    const text = deployment(
      SELECTOR_AND_TEMPLATE.replace('    spec:\n', '    spec:\n      hostnameOverride: web-0\n'),
    );
    assert.deepEqual(check(text, '1.35').issues, []);
    assert.deepEqual(brief(check(text, '1.32').issues), [
      '10:7 error spec.template.spec.hostnameOverride: unknown field "hostnameOverride"',
    ]);
  });

  test('the items of a v1 List are each validated', () => {
    const result = check(
      'apiVersion: v1\nkind: List\nitems:\n  - { apiVersion: v1, kind: ConfigMap, metadata: { name: a }, dta: {} }\n',
    );
    assert.deepEqual(brief(result.issues), [
      '4:63 error items[0].dta: unknown field "dta" (did you mean "data"?)',
    ]);
    assert.equal(result.issues[0]?.name, 'a');
  });

  test('an object defined twice is a warning', () => {
    const cm = 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: a }\n';
    const result = check(`${cm}---\n${cm}`);
    assert.deepEqual(
      result.issues.map((i) => [i.severity, i.document, i.message]),
      [
        [
          'warning',
          1,
          'ConfigMap a is defined twice: also in app.yaml (document 0); the later one would win',
        ],
      ],
    );
  });

  test('rendered output (kustomize, helm) has no line numbers: they would not be the user’s file', () => {
    const result = validateManifests(
      [
        {
          file: 'k8s/prod',
          origin: 'kustomize',
          text: 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: a }\ndta: {}\n',
        },
      ],
      { version: '1.35', schemas },
    );
    assert.deepEqual(brief(result.issues), ['-:- error dta: unknown field "dta" (did you mean "data"?)']);
  });

  test('a release that ships no schema is refused', () => {
    assert.throws(() => check('apiVersion: v1\nkind: ConfigMap\nmetadata: { name: a }\n', '1.20'), {
      code: 'INFRA_MANIFEST_INVALID',
      message: /no schema for Kubernetes 1\.20/,
    });
  });

  test('200 manifests validate in well under a second once the schemas are compiled', (t) => {
    const docs: string[] = [];
    for (let i = 0; i < 100; i++) {
      docs.push(
        deployment(`  replicas: ${i % 5}\n${SELECTOR_AND_TEMPLATE}`).replace('name: web', `name: web-${i}`),
      );
      docs.push(
        `apiVersion: v1\nkind: Service\nmetadata: { name: web-${i} }\nspec:\n  selector: { app: web }\n  ports: [{ port: 80, targetPort: 8080 }]\n`,
      );
    }
    const text = docs.join('\n---\n');
    check(text);
    const started = performance.now();
    const result = check(text);
    const elapsed = performance.now() - started;
    t.diagnostic(`200 manifests validated in ${elapsed.toFixed(1)} ms`);
    assert.equal(result.manifests.length, 200);
    assert.deepEqual(result.issues, []);
    assert.ok(elapsed < 1000, `took ${elapsed.toFixed(0)} ms`);
  });
});
