// `slipway infra` and a pipeline's deploy stage with `infrastructure:`, as users run them: the plan
// in the run log and at the gate, apply of the approved plan after `slipway approve`, a policy
// deny refused until an admin's override, drift, and bad input at file:line:col.
import assert from 'node:assert/strict';
import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { terraformEnv } from '../../src/infra/terraform/terraform-env.js';
import { skipWithout, TERRAFORM } from '../helpers/outside-program.js';
import { MAIN_TF } from './infra-project.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'bin/slipway.js');
const fixtures = join(root, 'test', 'fixtures', 'infra');

interface Result {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

const config = (replicas: number, extra = '') => `version: 1
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
  production:
    infrastructure:
      terraform:
        dir: infra
        vars: { replicas: ${replicas} }
      policies: policies/*.yaml
      pricing: pricing.yaml
${extra}`;

function project(replicas: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-infra-cli-'));
  mkdirSync(join(dir, 'infra'));
  writeFileSync(
    join(dir, 'infra', 'main.tf'),
    MAIN_TF.replace(/resource "terraform_data" "secret"[\s\S]*$/, ''),
  );
  cpSync(join(fixtures, 'policies'), join(dir, 'policies'), { recursive: true });
  cpSync(join(fixtures, 'pricing.yaml'), join(dir, 'pricing.yaml'));
  writeFileSync(join(dir, 'slipway.yaml'), config(replicas));
  execFileSync('git', ['init', '-q'], { cwd: dir });
  return dir;
}

function env(dir: string, actor = 'alice'): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: dir,
    NO_COLOR: '1',
    SLIPWAY_ACTOR: actor,
    ...(process.env.TF_CLI_CONFIG_FILE ? { TF_CLI_CONFIG_FILE: process.env.TF_CLI_CONFIG_FILE } : {}),
  };
}

function slipway(dir: string, args: string[], actor?: string): Promise<Result> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [bin, ...args],
      { cwd: dir, env: env(dir, actor), timeout: 60_000 },
      (error, stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** Starts `slipway run` and resolves once its output contains `text` (the run keeps going). */
function startRun(dir: string): {
  child: ChildProcess;
  output: () => string;
  until: (text: string) => Promise<void>;
  exit: Promise<number>;
} {
  const child = spawn(process.execPath, [bin, 'run'], { cwd: dir, env: env(dir) });
  let out = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
  const exit = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
  const until = async (text: string) => {
    const deadline = Date.now() + 60_000;
    while (!out.includes(text)) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for '${text}' in:\n${out}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  return { child, output: () => out, until, exit };
}

function stateList(dir: string): string[] {
  // Before the first apply there is no state: Terraform says so and exits 1.
  if (!existsSync(join(dir, 'infra', 'terraform.tfstate'))) return [];
  return execFileSync('terraform', [`-chdir=${join(dir, 'infra')}`, 'state', 'list'], {
    env: terraformEnv(process.env),
    encoding: 'utf8',
  })
    .trim()
    .split('\n')
    .filter((l) => l !== '');
}

describe('slipway infra and the deploy stage', { skip: skipWithout(TERRAFORM), concurrency: 2 }, () => {
  test('a run plans before the gate, approve shows the plan, and the approved plan is applied before the services', async () => {
    const dir = project(2);
    try {
      const run = startRun(dir);
      await run.until('waiting for approval of production');
      assert.match(
        run.output(),
        /deploy\.production \| terraform: Plan: 2 to add, 0 to change, 0 to destroy\./,
      );
      // Nothing is applied while the gate waits.
      assert.equal(stateList(dir).length, 0);
      const approved = await slipway(dir, ['approve', '1', 'production'], 'bob');
      assert.equal(approved.code, 0, approved.stderr);
      const lines = approved.stdout.split('\n');
      const summaryAt = lines.indexOf('terraform: Plan: 2 to add, 0 to change, 0 to destroy.');
      const decidedAt = lines.findIndex((l) => l.startsWith('production of run 1 approved by bob'));
      assert.ok(summaryAt >= 0 && decidedAt > summaryAt, approved.stdout);
      assert.ok(lines.includes('    + terraform_data.web[0] (create)'));
      assert.equal(await run.exit, 0, run.output());
      assert.match(run.output(), /infrastructure of production: plan \d+ applied[\s\S]*services deployed/);
      assert.deepEqual(stateList(dir), ['terraform_data.web[0]', 'terraform_data.web[1]']);
      const show = JSON.parse((await slipway(dir, ['--json', 'infra', 'show', 'production'])).stdout);
      assert.equal(show.status, 'applied');
      assert.equal(show.approval.by, 'bob');
      assert.equal(show.runId, 1);
      assert.equal(show.approval.hash, show.hash);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a gate in front of a plan a policy denies refuses approval until an admin overrides it', async () => {
    const dir = project(2);
    try {
      const first = await slipway(dir, ['infra', 'plan', 'production']);
      assert.equal(first.code, 0, first.stderr);
      assert.match(first.stdout, /cost: \+31\.00 USD\/month/);
      assert.equal((await slipway(dir, ['infra', 'apply', 'production'])).code, 0);
      writeFileSync(join(dir, 'slipway.yaml'), config(1));
      const run = startRun(dir);
      await run.until('waiting for approval of production');
      assert.match(run.output(), /DENY no-destroy-in-production on terraform_data\.web\[1\]/);
      const refused = await slipway(dir, ['approve', '1', 'production']);
      assert.equal(refused.code, 2);
      assert.match(refused.stderr, /denied by policy \(1 deny: no-destroy-in-production\)/);
      assert.match(refused.stderr, /--override "REASON"/);
      const overridden = await slipway(dir, [
        'approve',
        '1',
        'production',
        '--override',
        'retiring a replica (CHG-7)',
      ]);
      assert.equal(overridden.code, 0, overridden.stderr);
      assert.equal(await run.exit, 0, run.output());
      assert.deepEqual(stateList(dir), ['terraform_data.web[0]']);
      // `events --json` prints one event per line.
      const events = (await slipway(dir, ['--json', 'events'])).stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { type: string; data: Record<string, unknown> });
      const override = events.find((e) => e.type === 'infra.overridden');
      assert.equal(override?.data.reason, 'retiring a replica (CHG-7)');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('drift exits 1 and names what differs; a missing directory and a broken policy are config errors at file:line:col', async () => {
    const dir = project(1);
    try {
      assert.equal((await slipway(dir, ['infra', 'plan', 'production'])).code, 0);
      assert.equal((await slipway(dir, ['infra', 'apply', 'production'])).code, 0);
      const clean = await slipway(dir, ['infra', 'drift', 'production']);
      assert.equal(clean.code, 0, clean.stderr);
      assert.match(clean.stdout, /no drift in production/);
      execFileSync('terraform', [`-chdir=${join(dir, 'infra')}`, 'state', 'rm', 'terraform_data.web[0]'], {
        env: terraformEnv(process.env),
        stdio: 'ignore',
      });
      const drift = await slipway(dir, ['--json', 'infra', 'drift', 'production']);
      assert.equal(drift.code, 1);
      const report = JSON.parse(drift.stdout);
      assert.equal(report.drifted, true);
      assert.deepEqual(
        report.pending.changes.map((c: { address: string; action: string }) => `${c.action} ${c.address}`),
        ['create terraform_data.web[0]'],
      );

      writeFileSync(join(dir, 'slipway.yaml'), config(1).replace('dir: infra', 'dir: infra/missing'));
      const missing = await slipway(dir, ['validate']);
      assert.equal(missing.code, 1);
      assert.match(
        missing.stderr + missing.stdout,
        /slipway\.yaml:16:14: error: environments\.production\.infrastructure\.terraform\.dir: the Terraform directory 'infra\/missing' does not exist/,
      );
      writeFileSync(join(dir, 'slipway.yaml'), config(1));
      writeFileSync(
        join(dir, 'policies', 'broken.yaml'),
        'policies:\n  - name: broken\n    expression: resource.action ==\n',
      );
      const broken = await slipway(dir, ['validate']);
      assert.equal(broken.code, 1);
      assert.match(broken.stderr + broken.stdout, /policies\/broken\.yaml:3:\d+: error: /);
      const unknownKey = config(1).replace(
        'pricing: pricing.yaml',
        'pricing: pricing.yaml\n      costs: true',
      );
      writeFileSync(join(dir, 'slipway.yaml'), unknownKey);
      rmSync(join(dir, 'policies', 'broken.yaml'));
      const unknown = await slipway(dir, ['validate']);
      assert.match(
        unknown.stderr + unknown.stdout,
        /slipway\.yaml:20:7: error: environments\.production\.infrastructure\.costs: unknown key 'costs'/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
