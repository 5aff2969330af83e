// bench:infra — what planning through Slipway costs on top of Terraform itself.
// A Terraform configuration of 500 terraform_data resources (local backend, nothing to download)
// is planned, in alternating rounds:
// - through Slipway: planInfrastructure, i.e. the environment lease, `terraform plan -out
//   -detailed-exitcode`, `terraform show -json`, reading and masking the plan, its summary, 20
//   CEL policy rules over every change, the cost estimate from a price catalogue, the plan hash,
//   and the `infra.planned` event in the store (SQLite);
// - bare: `terraform plan -out -detailed-exitcode` plus `terraform show -json`, the floor.
// `terraform init` runs once before both (Slipway skips it while the configuration is unchanged).
// Each figure is the median over BENCH_ROUNDS (5) after one warm-up of each.
// Prints one JSON line {"bench":"infra","resources":500,"slipway_s":..,"terraform_s":..,
// "overhead_ratio":..}. Target: overhead_ratio <= 1.15 (exit 1 when missed). Run: npm run bench:infra.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfigText } from '../src/config/load-config.js';
import { planInfrastructure } from '../src/infra/plan-infrastructure.js';
import { terraformEnv } from '../src/infra/terraform/terraform-env.js';
import { openStore } from '../src/store/open-store.js';

const RESOURCES = 500;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const TARGET = 1.15;
const log = (line: string) => process.stderr.write(`bench:infra: ${line}\n`);

const MAIN_TF = `
variable "size" {
  type    = string
  default = "small"
}
resource "terraform_data" "node" {
  count = ${RESOURCES}
  input = { size = var.size, index = count.index, tags = { owner = "team-a", tier = "web" } }
}
`;

// 20 rules: the fixture policies (8) and 12 more of the same kinds.
const EXTRA_POLICIES = `policies:
${Array.from(
  { length: 12 },
  (_, i) => `  - name: extra-${i}
    severity: ${i % 2 === 0 ? 'deny' : 'warn'}
    match: resource.type == "terraform_data" && resource.after != null
    expression: has(resource.after.input.tags.owner) && resource.after.input.index >= ${-i}
    message: extra rule ${i}
`,
).join('')}`;

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

async function main(): Promise<void> {
  if (spawnSync('terraform', ['version'], { stdio: 'ignore' }).status !== 0) {
    log('terraform is not installed (https://developer.hashicorp.com/terraform/install)');
    process.exit(1);
  }
  const dir = mkdtempSync(join(tmpdir(), 'slipway-bench-infra-'));
  try {
    mkdirSync(join(dir, 'infra'));
    writeFileSync(join(dir, 'infra', 'main.tf'), MAIN_TF);
    const fixtures = join(import.meta.dirname, '..', 'test', 'fixtures', 'infra');
    cpSync(join(fixtures, 'policies'), join(dir, 'policies'), { recursive: true });
    writeFileSync(join(dir, 'policies', 'extra.yaml'), EXTRA_POLICIES);
    cpSync(join(fixtures, 'pricing.yaml'), join(dir, 'pricing.yaml'));
    const yaml = `version: 1
project: { name: bench }
jobs:
  build: { run: "true" }
environments:
  production:
    infrastructure:
      terraform: { dir: infra }
      policies: policies/*.yaml
      pricing: pricing.yaml
`;
    writeFileSync(join(dir, 'slipway.yaml'), yaml);
    const loaded = loadConfigText(yaml, 'bench', { dir, file: 'slipway.yaml' });
    const infrastructure = loaded.config?.environments.production?.infrastructure;
    if (!infrastructure) throw new Error(JSON.stringify(loaded.diagnostics));
    const env = terraformEnv(process.env);
    const tfDir = join(dir, 'infra');
    execFileSync('terraform', [`-chdir=${tfDir}`, 'init', '-input=false', '-no-color'], {
      env,
      stdio: 'ignore',
    });
    const store = await openStore({ projectDir: dir });
    const deps = {
      store,
      project: 'bench',
      projectDir: dir,
      stateDir: join(dir, '.slipway'),
      env: process.env,
      log: () => {},
    };
    let rules = 0;
    let changes = 0;
    const slipway = async () => {
      const started = performance.now();
      const plan = await planInfrastructure(deps, {
        environment: 'production',
        infrastructure,
        actor: 'bench',
      });
      const seconds = (performance.now() - started) / 1000;
      changes = plan.terraform?.changes.length ?? 0;
      rules = (plan.policy?.evaluated ?? 0) / Math.max(1, changes);
      return seconds;
    };
    const bare = () => {
      const started = performance.now();
      const out = join(dir, 'bare.tfplan');
      const plan = spawnSync(
        'terraform',
        [`-chdir=${tfDir}`, 'plan', '-input=false', '-no-color', '-detailed-exitcode', `-out=${out}`],
        { env, stdio: 'ignore' },
      );
      if (plan.status !== 2) throw new Error(`terraform plan exited ${plan.status}`);
      execFileSync('terraform', [`-chdir=${tfDir}`, 'show', '-json', '-no-color', out], {
        env,
        maxBuffer: 512 * 1024 * 1024,
      });
      return (performance.now() - started) / 1000;
    };
    await slipway();
    bare();
    const slipwayTimes: number[] = [];
    const bareTimes: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      if (round % 2 === 0) {
        slipwayTimes.push(await slipway());
        bareTimes.push(bare());
      } else {
        bareTimes.push(bare());
        slipwayTimes.push(await slipway());
      }
      log(
        `round ${round + 1}: slipway ${slipwayTimes.at(-1)?.toFixed(3)} s, terraform ${bareTimes.at(-1)?.toFixed(3)} s`,
      );
    }
    await store.close();
    const slipwayS = median(slipwayTimes);
    const terraformS = median(bareTimes);
    const ratio = slipwayS / terraformS;
    process.stdout.write(
      `${JSON.stringify({
        bench: 'infra',
        resources: changes,
        policies: rules,
        slipway_s: Number(slipwayS.toFixed(3)),
        terraform_s: Number(terraformS.toFixed(3)),
        overhead_ratio: Number(ratio.toFixed(3)),
      })}\n`,
    );
    if (changes !== RESOURCES) {
      log(`expected ${RESOURCES} changes, planned ${changes}`);
      process.exit(1);
    }
    if (ratio > TARGET) {
      log(`overhead_ratio ${ratio.toFixed(3)} is above the target ${TARGET}`);
      process.exit(1);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
