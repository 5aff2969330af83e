import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyArgs, initArgs, planArgs, showJsonArgs, workspaceArgs } from './terraform-commands.js';
import { terraformEnv } from './terraform-env.js';

const target = {
  binary: 'terraform',
  dir: '/p/infra',
  vars: { region: 'us-east-1', count: '3' },
  varFiles: ['/p/prod.tfvars'],
};

test('the argv of each command, as data', () => {
  assert.deepEqual(initArgs(target), ['-chdir=/p/infra', 'init', '-input=false', '-no-color']);
  assert.deepEqual(workspaceArgs(target, 'production'), [
    '-chdir=/p/infra',
    'workspace',
    'select',
    '-or-create=true',
    '-no-color',
    'production',
  ]);
  assert.deepEqual(planArgs(target, '/s/plan.tfplan'), [
    '-chdir=/p/infra',
    'plan',
    '-input=false',
    '-no-color',
    '-detailed-exitcode',
    '-lock-timeout=30s',
    '-out=/s/plan.tfplan',
    '-var=region=us-east-1',
    '-var=count=3',
    '-var-file=/p/prod.tfvars',
  ]);
  assert.ok(planArgs(target, '/s/d', { refreshOnly: true }).includes('-refresh-only'));
  assert.deepEqual(showJsonArgs(target, '/s/p'), ['-chdir=/p/infra', 'show', '-json', '-no-color', '/s/p']);
  // A saved plan is applied as it is: no variables, no fresh plan.
  const apply = applyArgs(target, '/s/p');
  assert.deepEqual(apply, [
    '-chdir=/p/infra',
    'apply',
    '-input=false',
    '-no-color',
    '-lock-timeout=30s',
    '/s/p',
  ]);
  assert.ok(!apply.some((a) => a.startsWith('-var')));
});

test('Terraform runs in automation mode; a CLI config file that does not exist is replaced by an empty one', () => {
  const env = terraformEnv({
    PATH: '/bin',
    TF_CLI_CONFIG_FILE: '/nonexistent/.terraformrc',
    HOME: undefined,
  });
  assert.equal(env.TF_IN_AUTOMATION, '1');
  assert.equal(env.TF_INPUT, '0');
  assert.equal(env.TF_CLI_CONFIG_FILE, '/dev/null');
  assert.equal(env.PATH, '/bin');
  assert.ok(!('HOME' in env));
  assert.equal(terraformEnv({ TF_CLI_CONFIG_FILE: '/etc/hostname' }).TF_CLI_CONFIG_FILE, '/etc/hostname');
  assert.ok(!('TF_CLI_CONFIG_FILE' in terraformEnv({})));
});
