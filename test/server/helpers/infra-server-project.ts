/**
 * A project for the server's infrastructure tests: production provisions `replicas` terraform_data
 * resources (test/infra's MAIN_TF) behind a manual gate, checked by the fixture policies and prices;
 * helpers apply it as `slipway infra apply` does and change its Terraform state out of band.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfigFile } from '../../../src/config/load-config.js';
import { applyInfrastructure } from '../../../src/infra/apply-infrastructure.js';
import { approvePlan } from '../../../src/infra/approve-plan.js';
import { planInfrastructure } from '../../../src/infra/plan-infrastructure.js';
import type { InfraPlan } from '../../../src/infra/plan-record.js';
import { terraformEnv } from '../../../src/infra/terraform/terraform-env.js';
import type { Store } from '../../../src/store/store.js';
import { MAIN_TF } from '../../infra/infra-project.js';

const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures', 'infra');

/** What slipway.yaml holds besides production's Terraform. */
export interface InfraYamlOptions {
  readonly replicas: number;
  /** Lines added to production's `infrastructure:` (indented by the caller), e.g. `drift: { every: 1s }`. */
  readonly infrastructure?: string;
  /** Top-level YAML appended to the file (e.g. `gitops:` with notifications). */
  readonly extra?: string;
}

/** slipway.yaml: build, then production (a manual gate in front of its infrastructure); staging has none. */
export function infraServerYaml(options: InfraYamlOptions): string {
  return `version: 1
project: { name: shop }
jobs:
  build: { run: echo built }
pipeline:
  stages:
    - name: build
      parallel: [build]
    - name: deploy
      environments:
        - production: { approval: manual_approval, run: echo services deployed }
environments:
  staging: {}
  production:
    infrastructure:
      terraform:
        dir: infra
        vars: { replicas: ${options.replicas} }
      policies: policies/*.yaml
      pricing: pricing.yaml
${options.infrastructure ? `      ${options.infrastructure}\n` : ''}${options.extra ?? ''}`;
}

/** Makes the project in a new temporary directory; returns the directory. */
export function infraServerProject(options: InfraYamlOptions): string {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-infra-server-'));
  mkdirSync(join(dir, 'infra'));
  // Only the web replicas: a plan's changes are exactly the replicas added or destroyed.
  writeFileSync(
    join(dir, 'infra', 'main.tf'),
    MAIN_TF.replace(/resource "terraform_data" "secret"[\s\S]*$/, ''),
  );
  cpSync(join(FIXTURES, 'policies'), join(dir, 'policies'), { recursive: true });
  cpSync(join(FIXTURES, 'pricing.yaml'), join(dir, 'pricing.yaml'));
  writeFileSync(join(dir, 'slipway.yaml'), infraServerYaml(options));
  return dir;
}

/** Plans and applies production as the project's slipway.yaml says, as `slipway infra apply` does. */
export async function applyProduction(dir: string, store: Store): Promise<InfraPlan> {
  const loaded = loadConfigFile(join(dir, 'slipway.yaml'));
  const infrastructure = loaded.config?.environments.production?.infrastructure;
  if (!infrastructure) throw new Error(`fixture config invalid: ${JSON.stringify(loaded.diagnostics)}`);
  const deps = {
    store,
    project: 'shop',
    projectDir: dir,
    stateDir: join(dir, '.slipway'),
    env: process.env,
    log: () => {},
  };
  const request = { environment: 'production', infrastructure, actor: 'setup' };
  const plan = await planInfrastructure(deps, request);
  await approvePlan((event) => store.appendEvent(event), plan, { actor: 'setup', admin: true });
  return applyInfrastructure(deps, { ...request, planId: plan.id });
}

/** Runs terraform in the project's `infra/` directory. */
function terraform(dir: string, args: readonly string[]): string {
  return execFileSync('terraform', [`-chdir=${join(dir, 'infra')}`, ...args], {
    env: terraformEnv(process.env),
    encoding: 'utf8',
  });
}

/** The resources in production's Terraform state. */
export function stateList(dir: string): string[] {
  // Before the first apply there is no state: Terraform says so and exits 1.
  if (!existsSync(join(dir, 'infra', 'terraform.tfstate'))) return [];
  return terraform(dir, ['state', 'list'])
    .trim()
    .split('\n')
    .filter((line) => line !== '');
}

/** Forgets `address` in the state behind Slipway's back: the resource drifted. */
export function forgetInState(dir: string, address: string): void {
  terraform(dir, ['state', 'rm', address]);
}
