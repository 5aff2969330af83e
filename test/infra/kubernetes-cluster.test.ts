// The cluster steps of Kubernetes and Helm against a real cluster: server-side dry run, diff and
// apply, and Helm's template check, diff and atomic upgrade. They run only when SLIPWAY_TEST_KUBECONFIG
// names the kubeconfig of a reachable (disposable) cluster, and skip otherwise, CI included: a
// cluster is not a program to install. Each run works in a namespace of its own and deletes it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, type TestContext, test } from 'node:test';
import { InfraError } from '../../src/infra/errors.js';
import { kubectlDiff } from '../../src/infra/kubernetes/kubectl-runner.js';
import {
  applyHelm,
  applyKubernetes,
  checkHelm,
  checkKubernetes,
  dryRunHelm,
  dryRunKubernetes,
  manifestStream,
} from '../../src/infra/kubernetes/kubernetes-step.js';
import { isInstalled, KUBECTL, skipWithout } from '../helpers/outside-program.js';

const KUBECONFIG = process.env.SLIPWAY_TEST_KUBECONFIG;

/** False when a cluster is reachable through SLIPWAY_TEST_KUBECONFIG, else why the tests skip. */
function clusterSkip(): false | string {
  if (KUBECONFIG === undefined || KUBECONFIG === '') return 'needs a cluster: set SLIPWAY_TEST_KUBECONFIG';
  if (!isInstalled(KUBECTL))
    return `needs a cluster and kubectl: kubectl is missing (apt-get install ${KUBECTL.aptPackage})`;
  const probe = spawnSync(
    'kubectl',
    ['--kubeconfig', KUBECONFIG, 'get', '--raw', '/readyz', '--request-timeout=5s'],
    {
      encoding: 'utf8',
      timeout: 15_000,
    },
  );
  if (probe.status !== 0)
    return `needs a cluster: SLIPWAY_TEST_KUBECONFIG=${KUBECONFIG} is not reachable (${(probe.stderr ?? '').trim() || probe.error?.message})`;
  return false;
}

function kubectl(...args: string[]) {
  return spawnSync('kubectl', ['--kubeconfig', KUBECONFIG ?? '', ...args], {
    encoding: 'utf8',
    timeout: 60_000,
  });
}

function helmInstalled(): boolean {
  return spawnSync('helm', ['version', '--short'], { encoding: 'utf8' }).status === 0;
}

const skip = clusterSkip();
const namespace = `slipway-test-${process.pid}-${Date.now().toString(36)}`;
const env = process.env;

function tempDir(t: TestContext, files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-cluster-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

const configMap = (greeting: string) =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app-settings\ndata:\n  greeting: ${greeting}\n`;

// Needs only kubectl: a kubeconfig whose server refuses connections.
describe('kubectl against a cluster that cannot be reached', { skip: skipWithout(KUBECTL) }, () => {
  const unreachable = `apiVersion: v1
kind: Config
clusters: [{ name: c, cluster: { server: "https://127.0.0.1:1" } }]
users: [{ name: u, user: { token: x } }]
contexts: [{ name: prod-cluster, context: { cluster: c, user: u } }]
current-context: prod-cluster
`;

  test('the dry run, the diff and the apply fail with kubectl’s words, never as "no changes"', async (t) => {
    const dir = tempDir(t, { kubeconfig: unreachable, 'k8s/settings.yaml': configMap('hello') });
    const target = {
      manifests: join(dir, 'k8s'),
      version: '1.35',
      kubeconfig: join(dir, 'kubeconfig'),
      context: 'prod-cluster',
    };
    const file = join(dir, 'manifests.yaml');
    writeFileSync(file, manifestStream((await checkKubernetes(target, { env })).manifests));
    const refused = { code: 'INFRA_TOOL_FAILED', message: /connection refused/ };
    await assert.rejects(dryRunKubernetes(target, file, { env }), refused);
    await assert.rejects(applyKubernetes(target, file, { env }), refused);
    // kubectl diff exits 1 for "changes found" and 2 for this: the dry run is skipped to show it.
    await assert.rejects(
      kubectlDiff(target, file, { env }),
      (error: unknown) =>
        error instanceof InfraError && error.code === 'INFRA_TOOL_FAILED' && /\(exit 2\)/.test(error.message),
    );
  });
});

describe('kubectl against a cluster', { skip }, () => {
  before(() => {
    const created = kubectl('create', 'namespace', namespace);
    assert.equal(created.status, 0, created.stderr);
  });
  after(() => {
    kubectl('delete', 'namespace', namespace, '--wait=false');
  });

  test('dry run and diff show the change, apply makes it, a second diff finds none', async (t) => {
    const dir = tempDir(t, { 'k8s/settings.yaml': configMap('hello') });
    const target = { manifests: join(dir, 'k8s'), version: '1.35', kubeconfig: KUBECONFIG ?? '', namespace };
    const check = await checkKubernetes(target, { env });
    assert.deepEqual(check.issues, []);
    const file = join(dir, 'manifests.yaml');
    writeFileSync(file, manifestStream(check.manifests));

    const planned = await dryRunKubernetes(target, file, { env });
    assert.match(planned.dryRun, /configmap\/app-settings serverside-applied \(server dry run\)/);
    assert.equal(planned.changed, true);
    assert.match(planned.diff, /^\+ {2}greeting: hello$/m);
    assert.notEqual(
      kubectl('get', 'configmap', 'app-settings', '-n', namespace).status,
      0,
      'the dry run created it',
    );

    const applied = await applyKubernetes(target, file, { env });
    assert.match(applied.output, /configmap\/app-settings serverside-applied/);
    const live = kubectl(
      'get',
      'configmap',
      'app-settings',
      '-n',
      namespace,
      '-o',
      'jsonpath={.data.greeting}',
    );
    assert.equal(live.stdout, 'hello');

    const again = await dryRunKubernetes(target, file, { env });
    assert.deepEqual([again.changed, again.diff], [false, '']);
    writeFileSync(
      file,
      manifestStream((await checkKubernetes(target, { env })).manifests).replace('hello', 'bye'),
    );
    const changed = await dryRunKubernetes(target, file, { env });
    assert.equal(changed.changed, true);
    assert.match(changed.diff, /^- {2}greeting: hello$/m);
    assert.match(changed.diff, /^\+ {2}greeting: bye$/m);
  });

  test('what the schemas allow but the API server refuses fails the dry run with the server’s words', async (t) => {
    const dir = tempDir(t, { 'k8s/bad.yaml': configMap('x').replace('app-settings', 'Bad_Name') });
    const target = { manifests: join(dir, 'k8s'), version: '1.35', kubeconfig: KUBECONFIG ?? '', namespace };
    const check = await checkKubernetes(target, { env });
    assert.deepEqual(check.issues, []);
    const file = join(dir, 'manifests.yaml');
    writeFileSync(file, manifestStream(check.manifests));
    await assert.rejects(dryRunKubernetes(target, file, { env }), {
      code: 'INFRA_TOOL_FAILED',
      message: /Bad_Name/,
    });
  });
});

describe('helm against a cluster', {
  skip: skip || (helmInstalled() ? false : 'needs helm on PATH (and a cluster)'),
}, () => {
  const helmNamespace = `${namespace}-helm`;
  const chart = (t: TestContext) =>
    join(
      tempDir(t, {
        'chart/Chart.yaml': 'apiVersion: v2\nname: demo\nversion: 0.1.0\n',
        'chart/values.yaml': 'greeting: hello\n',
        'chart/templates/configmap.yaml':
          'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-settings\ndata:\n  greeting: {{ .Values.greeting | quote }}\n',
        'values-prod.yaml': 'greeting: production\n',
      }),
    );
  const release = `slipway-${Date.now().toString(36)}`;
  after(() => {
    spawnSync(
      'helm',
      ['uninstall', release, '--namespace', helmNamespace, '--kubeconfig', KUBECONFIG ?? ''],
      {
        timeout: 60_000,
      },
    );
    kubectl('delete', 'namespace', helmNamespace, '--wait=false');
  });

  test('template validates, diff previews when helm-diff is there, upgrade installs atomically', async (t) => {
    const dir = chart(t);
    const spec = {
      release,
      chart: join(dir, 'chart'),
      namespace: helmNamespace,
      createNamespace: true,
      values: [join(dir, 'values-prod.yaml')],
      kubeconfig: KUBECONFIG ?? '',
    };
    const check = await checkHelm(spec, { env, version: '1.35' });
    assert.deepEqual(check.issues, []);
    assert.deepEqual(
      check.manifests.map((m) => [m.file, m.kind, m.name]),
      [[join(dir, 'chart/templates/configmap.yaml'), 'ConfigMap', `${release}-settings`]],
    );
    const preview = await dryRunHelm(spec, { env });
    if (preview.status === 'compared') assert.match(preview.diff, /production/);
    else assert.match(preview.reason, /helm-diff plugin is not installed/);

    const applied = await applyHelm(spec, { env });
    assert.match(applied.output, /STATUS: deployed/);
    const live = kubectl(
      'get',
      'configmap',
      `${release}-settings`,
      '-n',
      helmNamespace,
      '-o',
      'jsonpath={.data.greeting}',
    );
    assert.equal(live.stdout, 'production');
  });
});
