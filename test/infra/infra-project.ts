/** A temporary project with an environment's `infrastructure:` (terraform_data, local backend), for the infra tests. */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfigText } from '../../src/config/load-config.js';
import type { ResolvedInfrastructure } from '../../src/config/resolved-infrastructure.js';
import type { InfraDeps } from '../../src/infra/infra-deps.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';

/** The Terraform configuration: `replicas` terraform_data resources of `size`, each tagged with its owner. */
export const MAIN_TF = `
variable "size" {
  type    = string
  default = "small"
}
variable "replicas" {
  type    = number
  default = 2
}
variable "token" {
  type      = string
  sensitive = true
  default   = "tf-secret-value"
}
resource "terraform_data" "web" {
  count = var.replicas
  input = { size = var.size, tags = { owner = "team-a" } }
}
resource "terraform_data" "secret" {
  input = { value = var.token, tags = { owner = "team-a" } }
}
`;

/** A project on disk with its store. */
export interface InfraProject {
  readonly dir: string;
  readonly store: Store;
  readonly infrastructure: ResolvedInfrastructure;
  deps(overrides?: Partial<InfraDeps>): InfraDeps;
  /** Writes slipway.yaml again with other terraform vars and reloads `infrastructure`. */
  close(): Promise<void>;
}

/** The slipway.yaml of the project: production with terraform, policies and pricing. */
export function infraYaml(vars: Record<string, string | number> = {}): string {
  const varLines = Object.entries(vars)
    .map(([k, v]) => `          ${k}: ${JSON.stringify(v)}`)
    .join('\n');
  return `version: 1
project: { name: shop }
jobs:
  build: { run: "true" }
environments:
  production:
    infrastructure:
      terraform:
        dir: infra
${varLines ? `        vars:\n${varLines}\n` : ''}      policies: policies/*.yaml
      pricing: pricing.yaml
`;
}

/** Makes a project with the fixture policies and prices; `vars` become terraform vars. */
export async function infraProject(vars: Record<string, string | number> = {}): Promise<InfraProject> {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-infra-'));
  mkdirSync(join(dir, 'infra'));
  writeFileSync(join(dir, 'infra', 'main.tf'), MAIN_TF);
  cpSync(join(import.meta.dirname, '..', 'fixtures', 'infra', 'policies'), join(dir, 'policies'), {
    recursive: true,
  });
  cpSync(join(import.meta.dirname, '..', 'fixtures', 'infra', 'pricing.yaml'), join(dir, 'pricing.yaml'));
  const text = infraYaml(vars);
  writeFileSync(join(dir, 'slipway.yaml'), text);
  const loaded = loadConfigText(text, 'shop', { dir, file: 'slipway.yaml' });
  const infrastructure = loaded.config?.environments.production?.infrastructure;
  if (!infrastructure) throw new Error(`fixture config invalid: ${JSON.stringify(loaded.diagnostics)}`);
  const store = await openStore({ projectDir: dir });
  return {
    dir,
    store,
    infrastructure,
    deps: (overrides = {}) => ({
      store,
      project: 'shop',
      projectDir: dir,
      stateDir: join(dir, '.slipway'),
      env: process.env,
      log: () => {},
      ...overrides,
    }),
    async close() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The infrastructure of `infra` with other terraform vars. */
export function withVars(
  infra: ResolvedInfrastructure,
  vars: Record<string, string>,
): ResolvedInfrastructure {
  if (!infra.terraform) throw new Error('no terraform');
  return { ...infra, terraform: { ...infra.terraform, vars: { ...infra.terraform.vars, ...vars } } };
}
