// Unit tests of compiled policy rules: compile errors per field, match, messages, and failing closed.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  checkPolicyRule,
  compilePolicyRule,
  type PolicyResource,
  type PolicyRule,
  type PolicyRuleSpec,
  policyActivation,
} from './policy-rule.js';

const PLAN = { add: 1, change: 0, destroy: 1, replace: 0 };

const change = (over: Partial<PolicyResource> = {}): PolicyResource => ({
  address: 'aws_instance.web',
  type: 'aws_instance',
  name: 'web',
  action: 'delete',
  changed: [],
  before: { instance_type: 't3.micro', tags: { owner: 'team-a' } },
  after: null,
  ...over,
});

const compiled = (spec: Partial<PolicyRuleSpec>): PolicyRule => {
  const { rule, errors } = compilePolicyRule(
    { name: 'r', severity: 'deny', expression: 'true', ...spec },
    'policies/base.yaml',
  );
  assert.deepEqual(errors, []);
  return rule!;
};

const check = (spec: Partial<PolicyRuleSpec>, resource = change(), environment = 'production') =>
  checkPolicyRule(compiled(spec), policyActivation(resource, environment, PLAN));

describe('compilePolicyRule', () => {
  test('a rule keeps its name, severity, file and message', () => {
    const rule = compiled({ name: 'no-destroy', severity: 'warn', message: 'careful' });
    assert.deepEqual(
      [rule.name, rule.severity, rule.file, rule.message, rule.match],
      ['no-destroy', 'warn', 'policies/base.yaml', 'careful', undefined],
    );
  });

  test('every field that does not compile is reported, and there is no rule', () => {
    const { rule, errors } = compilePolicyRule(
      { name: 'r', severity: 'deny', match: 'environment ==', expression: '1', messageExpression: 'true' },
      'p.yaml',
    );
    assert.equal(rule, undefined);
    assert.deepEqual(
      errors.map((e) => [e.field, e.error.message]),
      [
        ['match', 'Unexpected token: EOF'],
        ['expression', 'must be a bool expression, but it gives int'],
        ['messageExpression', 'must be a string expression, but it gives bool'],
      ],
    );
  });
});

describe('checkPolicyRule', () => {
  const noDestroy = {
    match: 'environment == "production"',
    expression: '!(resource.action in ["delete", "replace"])',
  };

  test('a change the expression holds for passes', () => {
    assert.deepEqual(check(noDestroy, change({ action: 'create', before: null, after: {} })), {
      status: 'passed',
    });
  });

  test('a change the match leaves out is not applicable', () => {
    assert.deepEqual(check(noDestroy, change(), 'staging'), { status: 'not-applicable' });
  });

  test('a violation carries the static message, or a default one', () => {
    assert.deepEqual(check({ ...noDestroy, message: 'needs an override' }), {
      status: 'violated',
      message: 'needs an override',
    });
    assert.deepEqual(check({ ...noDestroy, name: 'no-destroy' }), {
      status: 'violated',
      message: "violates policy 'no-destroy'",
    });
  });

  test('messageExpression computes the message from the change', () => {
    const outcome = check({ ...noDestroy, messageExpression: '"destroying " + resource.address' });
    assert.deepEqual(outcome, { status: 'violated', message: 'destroying aws_instance.web' });
  });

  test('a messageExpression that fails falls back to message and says why', () => {
    const outcome = check({ ...noDestroy, message: 'no', messageExpression: 'resource.after.name' });
    assert.deepEqual(outcome, {
      status: 'violated',
      message: 'no (messageExpression failed: No such key: name at 1:16)',
    });
  });

  test('an expression that cannot be evaluated fails closed: a violation saying why', () => {
    const outcome = check({ expression: 'resource.before.tags.cost == "x"', message: 'tag cost' });
    assert.deepEqual(outcome, {
      status: 'violated',
      message:
        'tag cost (could not evaluate expression: No such key: cost at 1:22, so the rule counts as violated)',
    });
  });

  test('a match that cannot be evaluated fails closed too', () => {
    const outcome = check({ match: 'resource.after.size == "x"', expression: 'true', name: 'sizes' });
    assert.equal(outcome.status, 'violated');
    assert.match(
      outcome.status === 'violated' ? outcome.message : '',
      /^violates policy 'sizes' \(could not evaluate match: .+, so the rule counts as violated\)$/,
    );
  });

  test('has() guards a missing attribute, and plan counts are ints', () => {
    const tagged = { expression: 'resource.after == null || has(resource.after.tags.owner)' };
    assert.deepEqual(check(tagged), { status: 'passed' });
    assert.deepEqual(check(tagged, change({ action: 'create', after: { tags: {} } })).status, 'violated');
    assert.deepEqual(check({ expression: 'plan.destroy + plan.replace < 1' }).status, 'violated');
  });
});

test('policyActivation gives the module as an empty string when absent, and ints for whole numbers', () => {
  const activation = policyActivation(change({ after: { count: 2 } }), 'dev', PLAN);
  const resource = activation.resource as Record<string, unknown>;
  assert.equal(resource.module, '');
  assert.deepEqual(resource.after, { count: 2n });
  assert.deepEqual(activation.plan, { add: 1n, change: 0n, destroy: 1n, replace: 0n });
  assert.equal(
    (policyActivation(change({ module: 'module.net' }), 'dev', PLAN).resource as Record<string, unknown>)
      .module,
    'module.net',
  );
});
