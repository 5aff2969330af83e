// Tests of renderManifests on plain directories (kustomize, which needs kubectl, is tested in
// test/infra/kubernetes-render.test.ts): which files are read, in which order.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { kustomizationIn, renderManifests } from './render-manifests.js';

const WEB_APP = fileURLToPath(new URL('../../../test/fixtures/infra/k8s/web-app', import.meta.url));
// No kubectl is run for plain files: a path that does not exist proves it.
const options = { kubectl: '/nonexistent/kubectl', env: {} };

function tempTree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-manifests-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

test('every YAML and JSON file, recursively, in sorted order; hidden and other files left out', async (t) => {
  const dir = tempTree({
    'b.yaml': 'b',
    'a/z.yml': 'a/z',
    'a/c.json': 'a/c',
    'C.YAML': 'C',
    'notes.md': 'not a manifest',
    '.hidden.yaml': 'hidden',
    '.git/config.yaml': 'hidden too',
  });
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const sources = await renderManifests(dir, options);
  assert.deepEqual(
    sources.map((s) => [s.file.slice(dir.length + 1), s.origin, s.text]),
    [
      ['C.YAML', 'file', 'C'],
      ['a/c.json', 'file', 'a/c'],
      ['a/z.yml', 'file', 'a/z'],
      ['b.yaml', 'file', 'b'],
    ],
  );
});

test('the web-app fixture renders as its three files', async () => {
  const sources = await renderManifests(WEB_APP, options);
  assert.deepEqual(
    sources.map((s) => s.file.slice(WEB_APP.length + 1)),
    ['config/settings.json', 'deployment.yaml', 'service.yaml'],
  );
});

test('a missing directory is INFRA_MANIFEST_INVALID', async () => {
  await assert.rejects(renderManifests('/nonexistent/k8s/production', options), {
    code: 'INFRA_MANIFEST_INVALID',
    message: 'the manifests directory /nonexistent/k8s/production does not exist',
  });
});

test('a kustomization is found under any of the names kustomize accepts', (t) => {
  for (const name of ['kustomization.yaml', 'kustomization.yml', 'Kustomization']) {
    const dir = tempTree({ [name]: 'resources: []\n' });
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    assert.equal(kustomizationIn(dir), join(dir, name));
  }
  assert.equal(kustomizationIn(WEB_APP), undefined);
});

test('a kustomization is rendered by kubectl: a missing kubectl says so', async (t) => {
  const dir = tempTree({ 'kustomization.yaml': 'resources: []\n' });
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  await assert.rejects(renderManifests(dir, options), {
    code: 'INFRA_TOOL_MISSING',
    message: /^kubectl is not installed at \/nonexistent\/kubectl/,
  });
});
