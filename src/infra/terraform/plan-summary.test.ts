import assert from 'node:assert/strict';
import { test } from 'node:test';
import { changeLines, summarizePlan, summaryLine } from './plan-summary.js';
import type { ChangeAction, ResourceChange } from './resource-change.js';

const c = (address: string, action: ChangeAction, changed: string[] = []): ResourceChange => ({
  address,
  type: 'terraform_data',
  name: address.split('.')[1] ?? address,
  action,
  changed,
  before: null,
  after: null,
});

test('counts as Terraform does: a replace is one to add and one to destroy; no-ops and reads are left out', () => {
  const summary = summarizePlan([
    c('terraform_data.a', 'create'),
    c('terraform_data.b', 'update', ['input']),
    c('terraform_data.c', 'replace', ['input']),
    c('terraform_data.d', 'delete'),
    c('terraform_data.e', 'no-op'),
    c('data.x', 'read'),
  ]);
  assert.deepEqual(
    { add: summary.add, change: summary.change, destroy: summary.destroy, replace: summary.replace },
    { add: 2, change: 1, destroy: 2, replace: 1 },
  );
  assert.equal(summary.changes.length, 4);
  assert.equal(summaryLine(summary), 'Plan: 2 to add, 1 to change, 2 to destroy.');
  assert.deepEqual(changeLines(summary), [
    '    + terraform_data.a (create)',
    '    ~ terraform_data.b (update: input)',
    '  -/+ terraform_data.c (replace: input)',
    '    - terraform_data.d (delete)',
  ]);
  assert.deepEqual(changeLines(summary, 1).at(-1), '  ... and 3 more');
});

test('a plan without changes says so', () => {
  assert.equal(summaryLine(summarizePlan([c('terraform_data.e', 'no-op')])), 'No changes.');
});
