import assert from 'node:assert/strict';
import { test } from 'node:test';
import { actionOf, mask, readPlanJson } from './read-plan.js';
import { KNOWN_AFTER_APPLY, SENSITIVE } from './resource-change.js';

const change = (address: string, actions: string[], body: Record<string, unknown> = {}) => ({
  address,
  mode: 'managed',
  type: address.split('.').at(-2) ?? 'terraform_data',
  name: address.split('.').at(-1),
  change: {
    actions,
    before: null,
    after: null,
    after_unknown: {},
    before_sensitive: false,
    after_sensitive: false,
    ...body,
  },
});

const plan = {
  format_version: '1.2',
  terraform_version: '1.11.4',
  variables: { token: { value: 's3cret' } },
  resource_changes: [
    change('terraform_data.secret', ['create'], {
      after: { input: 's3cret', triggers_replace: null },
      after_unknown: { id: true, output: true },
      after_sensitive: { input: true },
    }),
    change('terraform_data.web', ['update'], {
      before: { id: 'x', input: { size: 'small', tags: { owner: 'a' } }, output: { size: 'small' } },
      after: { input: { size: 'large', tags: { owner: 'a' } } },
      after_unknown: { output: true },
      before_sensitive: {},
      after_sensitive: {},
    }),
    change('terraform_data.db', ['delete', 'create'], {
      before: { id: 'y', input: 'v1' },
      after: { input: 'v2' },
      after_unknown: { id: true },
    }),
    change('terraform_data.old', ['delete'], { before: { id: 'z', input: 'gone' } }),
    change('terraform_data.same', ['no-op'], { before: { id: 's' }, after: { id: 's' } }),
    {
      ...change('module.net.terraform_data.vpc', ['create'], { after: { input: 1 } }),
      module_address: 'module.net',
    },
  ],
  resource_drift: [
    change('terraform_data.web', ['update'], { before: { input: 'a' }, after: { input: 'b' } }),
  ],
};

test('each change keeps its address, type, name, module and action; replace is delete plus create', () => {
  const read = readPlanJson(JSON.stringify(plan));
  assert.equal(read.terraformVersion, '1.11.4');
  assert.deepEqual(
    read.changes.map((c) => [c.address, c.type, c.name, c.module ?? null, c.action]),
    [
      ['terraform_data.secret', 'terraform_data', 'secret', null, 'create'],
      ['terraform_data.web', 'terraform_data', 'web', null, 'update'],
      ['terraform_data.db', 'terraform_data', 'db', null, 'replace'],
      ['terraform_data.old', 'terraform_data', 'old', null, 'delete'],
      ['terraform_data.same', 'terraform_data', 'same', null, 'no-op'],
      ['module.net.terraform_data.vpc', 'terraform_data', 'vpc', 'module.net', 'create'],
    ],
  );
  assert.equal(read.drift.length, 1);
  assert.equal(read.drift[0]?.action, 'update');
});

test('sensitive values are masked and unknown ones marked; the sensitive variable is not kept anywhere', () => {
  const read = readPlanJson(JSON.stringify(plan));
  const secret = read.changes[0];
  assert.deepEqual(secret?.after, {
    id: KNOWN_AFTER_APPLY,
    input: SENSITIVE,
    output: KNOWN_AFTER_APPLY,
    triggers_replace: null,
  });
  assert.equal(secret?.before, null);
  assert.ok(!JSON.stringify(read).includes('s3cret'));
});

test('changed attributes are the top-level ones whose value differs or becomes unknown', () => {
  const read = readPlanJson(JSON.stringify(plan));
  assert.deepEqual(read.changes[1]?.changed, ['id', 'input', 'output']);
  assert.deepEqual(read.changes[2]?.changed, ['id', 'input']);
  assert.deepEqual(read.changes[0]?.changed, []);
  assert.equal(read.changes[3]?.after, null);
  assert.deepEqual(read.changes[3]?.before, { id: 'z', input: 'gone' });
});

test('mask reaches into lists and maps', () => {
  assert.deepEqual(mask({ a: [1, { b: 'x' }], c: 'y' }, { a: [false, { b: true }] }, { d: true }), {
    a: [1, { b: SENSITIVE }],
    c: 'y',
    d: KNOWN_AFTER_APPLY,
  });
});

test('actions: every list Terraform writes, and an unknown one is an error', () => {
  assert.equal(actionOf(['create', 'delete']), 'replace');
  assert.equal(actionOf(['read']), 'read');
  assert.equal(actionOf(['no-op']), 'no-op');
  assert.throws(() => actionOf(['forget']), { code: 'INFRA_PLAN_JSON_INVALID' });
});

test('output that is not a plan is refused clearly', () => {
  assert.throws(() => readPlanJson('Error: no plan'), { code: 'INFRA_PLAN_JSON_INVALID' });
  assert.throws(() => readPlanJson('{"a":1}'), /no plan/);
  assert.throws(() => readPlanJson('{"format_version":"1.2","resource_changes":{}}'), /not a list/);
});
