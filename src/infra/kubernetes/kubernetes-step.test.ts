// Tests of the Kubernetes and Helm facade without a cluster: offline checks of plain manifests, and
// what each step does when there is nothing to do or its tool is missing (the cluster steps proper
// are in test/infra/kubernetes-cluster.test.ts, kustomize in test/infra/kubernetes-render.test.ts).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { KubernetesSchemas } from './kubernetes-schemas.js';
import {
  applyHelm,
  applyKubernetes,
  checkHelm,
  checkKubernetes,
  dryRunHelm,
  dryRunKubernetes,
  manifestStream,
} from './kubernetes-step.js';
import { validateManifests } from './validate-manifests.js';

const WEB_APP = fileURLToPath(new URL('../../../test/fixtures/infra/k8s/web-app', import.meta.url));
const schemas = new KubernetesSchemas();
const noKubectl = { kubectl: '/nonexistent/kubectl', env: {}, schemas };
const noHelm = { helm: '/nonexistent/helm', env: {} };
const RELEASE = { release: 'web', chart: '/srv/charts/web', values: [] };

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-k8s-step-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('checkKubernetes renders and validates plain manifests offline', async () => {
  const check = await checkKubernetes({ manifests: WEB_APP, version: '1.35', namespace: 'web' }, noKubectl);
  assert.deepEqual(check.issues, []);
  assert.deepEqual(
    check.manifests.map((m) => `${m.kind}/${m.name}`),
    ['ConfigMap/web-settings', 'Deployment/web', 'Service/web'],
  );
});

test('checkKubernetes reports a typo at its place in the file', async (t) => {
  const dir = tempDir(t);
  writeFileSync(
    join(dir, 'cm.yaml'),
    'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  lables: { x: y }\n',
  );
  const check = await checkKubernetes({ manifests: dir, version: '1.35' }, noKubectl);
  assert.deepEqual(check.issues, [
    {
      severity: 'error',
      file: join(dir, 'cm.yaml'),
      line: 5,
      col: 3,
      document: 0,
      kind: 'ConfigMap',
      name: 'a',
      path: 'metadata.lables',
      message: 'unknown field "lables" (did you mean "labels"?)',
    },
  ]);
});

test('the saved stream reads back as exactly the objects validated', async (t) => {
  const check = await checkKubernetes({ manifests: WEB_APP, version: '1.35' }, noKubectl);
  const stream = manifestStream(check.manifests);
  const again = validateManifests([{ file: 'manifests.yaml', origin: 'kustomize', text: stream }], {
    version: '1.35',
    schemas,
  });
  assert.deepEqual(again.issues, []);
  assert.deepEqual(
    again.manifests.map((m) => m.object),
    check.manifests.map((m) => m.object),
  );
  const file = join(tempDir(t), 'manifests.yaml');
  writeFileSync(file, stream);
  // With objects to apply, the missing kubectl is reported rather than skipped.
  await assert.rejects(applyKubernetes({ manifests: WEB_APP, version: '1.35' }, file, noKubectl), {
    code: 'INFRA_TOOL_MISSING',
  });
});

test('an empty stream needs no cluster: the dry run and the apply do nothing', async (t) => {
  const file = join(tempDir(t), 'manifests.yaml');
  writeFileSync(file, '\n');
  const target = { manifests: '/unused', version: '1.35' };
  assert.deepEqual(await dryRunKubernetes(target, file, noKubectl), { dryRun: '', changed: false, diff: '' });
  assert.deepEqual(await applyKubernetes(target, file, noKubectl), { output: '' });
});

test('every Helm step reports a missing helm as INFRA_TOOL_MISSING', async () => {
  const missing = { code: 'INFRA_TOOL_MISSING', message: /^helm is not installed at \/nonexistent\/helm/ };
  await assert.rejects(checkHelm(RELEASE, { ...noHelm, version: '1.35', schemas }), missing);
  await assert.rejects(dryRunHelm(RELEASE, noHelm), missing);
  await assert.rejects(applyHelm(RELEASE, noHelm), missing);
});
