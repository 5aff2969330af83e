// Unit tests of evaluatePolicies: the example policy files (test/fixtures/infra/policies/) against
// hand-made resource changes, skipped actions, failing closed, and the time of a large plan.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parsePolicyFile } from '../../config/policy-file.js';
import type { PolicyRule } from '../../policy/policy-rule.js';
import { KNOWN_AFTER_APPLY, type ResourceChange } from '../terraform/resource-change.js';
import { evaluatePolicies } from './evaluate-policies.js';

const DIR = fileURLToPath(new URL('../../../test/fixtures/infra/policies/', import.meta.url));

const load = (name: string): PolicyRule[] => {
  const parsed = parsePolicyFile(readFileSync(DIR + name, 'utf8'), `policies/${name}`);
  assert.deepEqual(parsed.diagnostics, []);
  return [...parsed.value!];
};

const ALL = readdirSync(DIR)
  .sort()
  .flatMap((name) => load(name));

const SUMMARY = { add: 1, change: 1, destroy: 1, replace: 0 };

const change = (
  address: string,
  action: ResourceChange['action'],
  before: Record<string, unknown> | null,
  after: Record<string, unknown> | null,
): ResourceChange => {
  const [type = '', name = ''] = address.split('.');
  return { address, type, name, action, changed: [], before, after };
};

const TAGS = { owner: 'payments', 'cost-center': 'cc-42' };
const aws = (instance_type: string, tags: unknown = TAGS) => ({ instance_type, tags });
const data = (input: unknown) => ({ input, output: KNOWN_AFTER_APPLY });

/** Each violation as `severity rule address`, the form the assertions compare. */
const found = (changes: ResourceChange[], rules: PolicyRule[], environment = 'production') =>
  evaluatePolicies(changes, rules, { environment, summary: SUMMARY }).violations.map(
    (v) => `${v.severity} ${v.rule} ${v.address}`,
  );

describe('no-destroy-in-production', () => {
  const rules = load('no-destroy-in-production.yaml');

  test('a delete or replace in production is denied, with the message naming the resource', () => {
    const report = evaluatePolicies(
      [
        change('aws_instance.old', 'delete', aws('t3.micro'), null),
        change('terraform_data.app', 'replace', data({ size: 'small' }), data({ size: 'large' })),
        change('aws_instance.web', 'update', aws('t3.micro'), aws('t3.small')),
      ],
      rules,
      { environment: 'production', summary: SUMMARY },
    );
    assert.deepEqual(report.violations, [
      {
        rule: 'no-destroy-in-production',
        file: 'policies/no-destroy-in-production.yaml',
        severity: 'deny',
        address: 'aws_instance.old',
        action: 'delete',
        message: "destroying aws_instance.old in production needs an admin's override",
      },
      {
        rule: 'no-destroy-in-production',
        file: 'policies/no-destroy-in-production.yaml',
        severity: 'deny',
        address: 'terraform_data.app',
        action: 'replace',
        message: "destroying terraform_data.app in production needs an admin's override",
      },
    ]);
    assert.deepEqual([report.denied, report.warned, report.evaluated], [2, 0, 6]);
  });

  test('the same plan in staging passes, and many destroys only warn', () => {
    assert.deepEqual(
      found([change('aws_instance.old', 'delete', aws('t3.micro'), null)], rules, 'staging'),
      [],
    );
    const big = evaluatePolicies([change('aws_instance.old', 'delete', aws('t3.micro'), null)], rules, {
      environment: 'staging',
      summary: { add: 0, change: 0, destroy: 6, replace: 1 },
    });
    assert.deepEqual(
      big.violations.map((v) => [v.severity, v.rule, v.message]),
      [['warn', 'few-destroys', 'this plan destroys more than 5 resources']],
    );
    assert.deepEqual([big.denied, big.warned], [0, 1]);
  });
});

describe('required-tags', () => {
  const rules = load('required-tags.yaml');

  test('terraform_data needs input.tags.owner, whether tags is missing, empty or there', () => {
    const changes = [
      change('terraform_data.tagged', 'create', null, data({ tags: { owner: 'web' } })),
      change('terraform_data.untagged', 'create', null, data({ size: 'small' })),
      change('terraform_data.empty', 'update', data({ tags: {} }), data({ tags: {} })),
      change('terraform_data.no_input', 'create', null, { input: null }),
      change('terraform_data.gone', 'delete', data({}), null),
    ];
    assert.deepEqual(found(changes, rules), [
      'deny owner-in-terraform-data-input terraform_data.untagged',
      'deny owner-in-terraform-data-input terraform_data.empty',
      'deny owner-in-terraform-data-input terraform_data.no_input',
    ]);
    const report = evaluatePolicies(changes.slice(1, 2), rules, { environment: 'dev', summary: SUMMARY });
    assert.equal(report.violations[0]?.message, 'terraform_data.untagged has no input.tags.owner');
  });

  test('AWS resources need owner and cost-center tags; null tags are a violation, not an error', () => {
    assert.deepEqual(
      found(
        [
          change('aws_instance.ok', 'create', null, aws('t3.micro')),
          change('aws_instance.owner_only', 'create', null, aws('t3.micro', { owner: 'x' })),
          change('aws_instance.null_tags', 'create', null, aws('t3.micro', null)),
          change('aws_s3_bucket.none', 'create', null, { bucket: 'b' }),
        ],
        rules,
      ),
      [
        'deny aws-owner-and-cost-center aws_instance.owner_only',
        'deny aws-owner-and-cost-center aws_instance.null_tags',
        'deny aws-owner-and-cost-center aws_s3_bucket.none',
      ],
    );
  });
});

describe('allowed-types-and-sizes', () => {
  const rules = load('allowed-types-and-sizes.yaml');

  test('types off the list and instance types off the list are denied', () => {
    const report = evaluatePolicies(
      [
        change('aws_instance.ok', 'create', null, aws('m5.large')),
        change('aws_instance.huge', 'update', aws('m5.large'), aws('x2iedn.32xlarge')),
        change('google_compute_instance.vm', 'create', null, { machine_type: 'e2-small' }),
        change('aws_instance.later', 'create', null, aws(KNOWN_AFTER_APPLY)),
      ],
      rules,
      { environment: 'production', summary: SUMMARY },
    );
    assert.deepEqual(
      report.violations.map((v) => [v.rule, v.address, v.message]),
      [
        ['allowed-instance-types', 'aws_instance.huge', 'instance type x2iedn.32xlarge is not allowed'],
        [
          'allowed-resource-types',
          'google_compute_instance.vm',
          'resource type google_compute_instance is not on the allowed list',
        ],
        ['allowed-instance-types', 'aws_instance.later', 'instance type (known after apply) is not allowed'],
      ],
    );
  });

  test('sizes warn outside production only; replicas compare as numbers', () => {
    const changes = [
      change('terraform_data.big', 'create', null, data({ size: 'xlarge', replicas: 2 })),
      change(
        'terraform_data.many',
        'update',
        data({ size: 'small', replicas: 3 }),
        data({ size: 'small', replicas: 5 }),
      ),
      change('terraform_data.ok', 'create', null, data({ size: 'medium', replicas: 3 })),
    ];
    assert.deepEqual(found(changes, rules, 'staging'), [
      'warn small-sizes-outside-production terraform_data.big',
      'warn at-most-three-replicas terraform_data.many',
    ]);
    assert.deepEqual(found(changes, rules, 'production'), [
      'warn at-most-three-replicas terraform_data.many',
    ]);
  });
});

describe('evaluatePolicies', () => {
  test('no-op and read changes are not checked', () => {
    const report = evaluatePolicies(
      [
        change('google_compute_instance.same', 'no-op', {}, {}),
        change('google_compute_image.latest', 'read', null, {}),
      ],
      ALL,
      { environment: 'production', summary: SUMMARY },
    );
    assert.deepEqual(report, { violations: [], denied: 0, warned: 0, evaluated: 0 });
  });

  test('a rule that cannot be evaluated fails closed with its severity and says why', () => {
    const [rule] = parsePolicyFile(
      'policies:\n  - name: sized\n    severity: deny\n    expression: resource.after.size == "small"\n',
      'p.yaml',
    ).value!;
    const report = evaluatePolicies([change('random_id.x', 'create', null, { byte_length: 8 })], [rule!], {
      environment: 'dev',
      summary: SUMMARY,
    });
    assert.deepEqual(
      report.violations.map((v) => [v.severity, v.message]),
      [
        [
          'deny',
          "violates policy 'sized' (could not evaluate expression: No such key: size at 1:16, so the rule counts as violated)",
        ],
      ],
    );
    assert.equal(report.denied, 1);
  });

  test('20 rules over 500 changes take a few milliseconds', (t) => {
    const rules = [...ALL, ...ALL, ...ALL].slice(0, 20);
    assert.equal(rules.length, 20);
    const actions = ['create', 'update', 'delete', 'replace'] as const;
    const changes = Array.from({ length: 500 }, (_, i) => {
      const action = actions[i % 4]!;
      const attributes =
        i % 2 === 0
          ? aws(['t3.micro', 'm5.large', 'c5.xlarge'][i % 3]!)
          : data({ size: 'small', replicas: i % 5, tags: TAGS });
      const address = i % 2 === 0 ? `aws_instance.web_${i}` : `terraform_data.app_${i}`;
      return change(
        address,
        action,
        action === 'create' ? null : attributes,
        action === 'delete' ? null : attributes,
      );
    });
    const context = {
      environment: 'production',
      summary: { add: 250, change: 125, destroy: 250, replace: 125 },
    };
    const times: number[] = [];
    let report = evaluatePolicies(changes, rules, context);
    for (let run = 0; run < 5; run++) {
      const started = performance.now();
      report = evaluatePolicies(changes, rules, context);
      times.push(performance.now() - started);
    }
    const best = Math.min(...times);
    t.diagnostic(`evaluatePolicies, 20 rules x 500 changes: ${best.toFixed(2)} ms (best of 5)`);
    assert.equal(report.evaluated, 10_000);
    assert.ok(report.denied > 0 && report.warned > 0);
    assert.ok(best < 100, `${best} ms`);
  });
});
