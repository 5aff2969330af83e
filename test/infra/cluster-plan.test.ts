// Kubernetes manifests in an infrastructure plan: rendered and validated offline while planning,
// saved with the plan and covered by its hash, refused at file:line:col when invalid, and applied
// from the saved file (here against a cluster that cannot be reached, which fails the apply).
import assert from 'node:assert/strict';
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadConfigText } from '../../src/config/load-config.js';
import { applyInfrastructure } from '../../src/infra/apply-infrastructure.js';
import { approvePlan } from '../../src/infra/approve-plan.js';
import { MANIFESTS_FILE, planInfrastructure } from '../../src/infra/plan-infrastructure.js';
import { getInfraPlan } from '../../src/infra/plan-record.js';
import { openStore } from '../../src/store/open-store.js';
import { KUBECTL, skipWithout } from '../helpers/outside-program.js';

const YAML = `version: 1
project: { name: shop }
jobs:
  build: { run: "true" }
environments:
  production:
    infrastructure:
      kubernetes: { manifests: k8s, version: "1.35", namespace: web }
`;

async function project() {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-cluster-plan-'));
  cpSync(join(import.meta.dirname, '..', 'fixtures', 'infra', 'k8s', 'web-app'), join(dir, 'k8s'), {
    recursive: true,
  });
  writeFileSync(join(dir, 'slipway.yaml'), YAML);
  const loaded = loadConfigText(YAML, 'shop', { dir, file: 'slipway.yaml' });
  const infrastructure = loaded.config?.environments.production?.infrastructure;
  assert.ok(infrastructure, JSON.stringify(loaded.diagnostics));
  const store = await openStore({ projectDir: dir });
  // A kubeconfig whose cluster is a closed port: nothing here can reach a real cluster.
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(
    kubeconfig,
    `apiVersion: v1
kind: Config
clusters: [{ name: none, cluster: { server: "https://127.0.0.1:9" } }]
users: [{ name: none, user: { token: t } }]
contexts: [{ name: none, context: { cluster: none, user: none } }]
current-context: none
`,
  );
  const deps = {
    store,
    project: 'shop',
    projectDir: dir,
    stateDir: join(dir, '.slipway'),
    env: { ...process.env, KUBECONFIG: kubeconfig },
    log: () => {},
  };
  return { dir, store, infrastructure, deps };
}

test('manifests are validated offline, saved with the plan and bound by its hash', {
  skip: skipWithout(KUBECTL),
}, async () => {
  const p = await project();
  try {
    const plan = await planInfrastructure(p.deps, {
      environment: 'production',
      infrastructure: p.infrastructure,
      actor: 'alice',
    });
    assert.equal(plan.terraform, null);
    assert.equal(plan.cluster?.manifests, 3);
    assert.deepEqual(
      plan.cluster?.issues.filter((i) => i.severity === 'error'),
      [],
    );
    const saved = readFileSync(join(plan.dir, MANIFESTS_FILE), 'utf8');
    assert.match(saved, /"kind": "Deployment"/);
    await approvePlan((e) => p.store.appendEvent(e), plan, { actor: 'alice', admin: true });
    // The cluster cannot be reached: the apply of the saved manifests fails and says so.
    await assert.rejects(
      applyInfrastructure(p.deps, {
        environment: 'production',
        infrastructure: p.infrastructure,
        planId: plan.id,
        actor: 'alice',
      }),
      { code: 'INFRA_TOOL_FAILED' },
    );
    assert.equal((await getInfraPlan(p.store, 'production', plan.id)).status, 'failed');

    const second = await planInfrastructure(p.deps, {
      environment: 'production',
      infrastructure: p.infrastructure,
      actor: 'alice',
    });
    await approvePlan((e) => p.store.appendEvent(e), second, { actor: 'alice', admin: true });
    // What was approved is the saved file: editing it after approval is refused before kubectl runs.
    appendFileSync(
      join(second.dir, MANIFESTS_FILE),
      '---\n{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"x"}}\n',
    );
    await assert.rejects(
      applyInfrastructure(p.deps, {
        environment: 'production',
        infrastructure: p.infrastructure,
        planId: second.id,
        actor: 'alice',
      }),
      { code: 'INFRA_PLAN_CHANGED' },
    );
  } finally {
    await p.store.close();
    rmSync(p.dir, { recursive: true, force: true });
  }
});

test('an invalid manifest fails the plan at its file:line:col and records no plan', async () => {
  const p = await project();
  try {
    const deployment = join(p.dir, 'k8s', 'deployment.yaml');
    writeFileSync(deployment, readFileSync(deployment, 'utf8').replace(/replicas: \d+/, 'replica: 2'));
    await assert.rejects(
      planInfrastructure(p.deps, {
        environment: 'production',
        infrastructure: p.infrastructure,
        actor: 'alice',
      }),
      (error: Error & { code?: string }) => {
        assert.equal(error.code, 'INFRA_MANIFEST_INVALID');
        assert.match(error.message, /deployment\.yaml:\d+:\d+: Deployment\/\S+ spec\.replica/);
        return true;
      },
    );
    assert.equal((await p.store.listEvents({ types: ['infra.planned'] })).length, 0);
  } finally {
    await p.store.close();
    rmSync(p.dir, { recursive: true, force: true });
  }
});

test('a Helm release is pinned by its chart and values: editing them after approval is refused', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-helm-plan-'));
  const store = await openStore({ projectDir: dir });
  try {
    const chart = join(dir, 'charts', 'web');
    mkdirSync(join(chart, 'templates'), { recursive: true });
    writeFileSync(join(chart, 'Chart.yaml'), 'apiVersion: v2\nname: web\nversion: 0.1.0\n');
    writeFileSync(
      join(chart, 'templates', 'cm.yaml'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: web }\n',
    );
    writeFileSync(join(chart, 'values-prod.yaml'), 'replicas: 2\n');
    const yaml = `version: 1
project: { name: shop }
jobs:
  build: { run: "true" }
environments:
  production:
    infrastructure:
      helm:
        - { release: web, chart: charts/web, namespace: web, values: [charts/web/values-prod.yaml] }
`;
    const infrastructure = loadConfigText(yaml, 'shop', { dir, file: 'slipway.yaml' }).config?.environments
      .production?.infrastructure;
    assert.ok(infrastructure);
    const deps = {
      store,
      project: 'shop',
      projectDir: dir,
      stateDir: join(dir, '.slipway'),
      env: process.env,
      log: () => {},
    };
    const plan = await planInfrastructure(deps, {
      environment: 'production',
      infrastructure,
      actor: 'alice',
    });
    assert.deepEqual(plan.cluster?.releases, ['web']);
    await approvePlan((e) => store.appendEvent(e), plan, { actor: 'alice', admin: true });
    writeFileSync(join(chart, 'values-prod.yaml'), 'replicas: 20\n');
    await assert.rejects(
      applyInfrastructure(deps, {
        environment: 'production',
        infrastructure,
        planId: plan.id,
        actor: 'alice',
      }),
      { code: 'INFRA_PLAN_CHANGED' },
    );
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
