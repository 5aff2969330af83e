import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { formatDiagnostic } from './diagnostic.js';
import { loadConfigText } from './load-config.js';

const config = (infrastructure: string) => `version: 1
project: { name: shop }
jobs:
  build: { run: "true" }
environments:
  production:
    infrastructure:
${infrastructure}`;

function errorsOf(dir: string, text: string): string[] {
  const result = loadConfigText(text, 'shop', { dir, file: 'slipway.yaml' });
  return result.diagnostics
    .filter((d) => d.severity === 'error')
    .map((d) => formatDiagnostic('slipway.yaml', d));
}

test("infrastructure's files: each missing one, a bad policy or catalogue, and drift without Terraform, at file:line:col", () => {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-infra-rules-'));
  try {
    mkdirSync(join(dir, 'infra'));
    mkdirSync(join(dir, 'policies'));
    writeFileSync(
      join(dir, 'policies', 'ok.yaml'),
      'policies:\n  - name: ok\n    expression: resource.action != "delete"\n',
    );
    writeFileSync(
      join(dir, 'pricing.yaml'),
      'currency: USD\nprices:\n  - type: terraform_data\n    monthly: 0\n',
    );
    const valid = config(`      terraform: { dir: infra }
      policies: policies/*.yaml
      pricing: pricing.yaml
      drift: { every: 6h }
`);
    assert.deepEqual(errorsOf(dir, valid), []);
    const resolved = loadConfigText(valid, 'shop', { dir, file: 'slipway.yaml' }).config?.environments
      .production;
    assert.equal(resolved?.infrastructure?.driftEveryMs, 6 * 3600_000);
    assert.deepEqual(resolved?.infrastructure?.policies, ['policies/*.yaml']);

    assert.deepEqual(
      errorsOf(
        dir,
        config(`      terraform: { dir: infra/prod, varFiles: [prod.tfvars] }
      kubernetes: { manifests: k8s }
      helm:
        - { release: web, chart: charts/web, values: [values.yaml] }
      policies: [policies/*.yaml, rules/*.yaml]
      pricing: prices.yaml
`),
      ),
      [
        "slipway.yaml:8:25: error: environments.production.infrastructure.terraform.dir: the Terraform directory 'infra/prod' does not exist (paths are relative to slipway.yaml's directory)",
        "slipway.yaml:8:48: error: environments.production.infrastructure.terraform.varFiles[0]: the variable file 'prod.tfvars' does not exist (paths are relative to slipway.yaml's directory)",
        "slipway.yaml:9:32: error: environments.production.infrastructure.kubernetes.manifests: the manifest directory 'k8s' does not exist (paths are relative to slipway.yaml's directory)",
        "slipway.yaml:11:34: error: environments.production.infrastructure.helm[0].chart: the chart directory 'charts/web' does not exist (paths are relative to slipway.yaml's directory)",
        "slipway.yaml:11:55: error: environments.production.infrastructure.helm[0].values[0]: the values file 'values.yaml' does not exist (paths are relative to slipway.yaml's directory)",
        "slipway.yaml:12:35: error: environments.production.infrastructure.policies[1]: 'rules/*.yaml' matches no policy file",
        "slipway.yaml:13:16: error: environments.production.infrastructure.pricing: the price catalogue 'prices.yaml' does not exist (paths are relative to slipway.yaml's directory)",
      ],
    );

    writeFileSync(
      join(dir, 'policies', 'bad.yaml'),
      'policies:\n  - name: bad\n    severity: block\n    expression: "1 +"\n',
    );
    writeFileSync(
      join(dir, 'pricing.yaml'),
      'currency: USD\nprices:\n  - type: terraform_data\n    monthly: free\n',
    );
    const bad = errorsOf(dir, valid);
    assert.ok(
      bad.some((e) => e.startsWith('policies/bad.yaml:3:15: error: policies[0].severity')),
      bad.join('\n'),
    );
    assert.ok(
      bad.some((e) => e.startsWith('policies/bad.yaml:4:')),
      bad.join('\n'),
    );
    assert.ok(
      bad.some((e) => e.startsWith('pricing.yaml:4:14: error: prices[0].monthly')),
      bad.join('\n'),
    );

    assert.deepEqual(
      errorsOf(dir, config('      kubernetes: { manifests: policies }\n      drift: { every: 1h }\n')),
      [
        'slipway.yaml:9:7: error: environments.production.infrastructure.drift: drift is found by Terraform: `drift` needs `terraform`',
      ],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
