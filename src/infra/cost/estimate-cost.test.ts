// Unit tests of estimateCost over hand-made resource changes and the example catalogue (test/fixtures/infra/pricing.yaml).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type PriceCatalogue, parsePricingFile } from '../../config/pricing-file.js';
import type { ResourceChange } from '../terraform/resource-change.js';
import { KNOWN_AFTER_APPLY } from '../terraform/resource-change.js';
import { estimateCost } from './estimate-cost.js';

const EXAMPLE = fileURLToPath(new URL('../../../test/fixtures/infra/pricing.yaml', import.meta.url));
const catalogue: PriceCatalogue = parsePricingFile(readFileSync(EXAMPLE, 'utf8'), 'pricing.yaml').value!;

const change = (
  address: string,
  action: ResourceChange['action'],
  before: Record<string, unknown> | null,
  after: Record<string, unknown> | null,
): ResourceChange => {
  const [type = '', name = ''] = address.split('.');
  return { address, type, name, action, changed: [], before, after };
};

const web = (size: string) => ({ instance_type: size, tags: { owner: 'web' } });

describe('estimateCost', () => {
  test('a create adds, a delete subtracts, an update or replace is after minus before', () => {
    const estimate = estimateCost(
      [
        change('aws_instance.new', 'create', null, web('t3.micro')),
        change('aws_instance.old', 'delete', web('m5.large'), null),
        change('aws_instance.bigger', 'update', web('t3.micro'), web('t3.small')),
        change('terraform_data.app', 'replace', { input: { size: 'small' } }, { input: { size: 'large' } }),
      ],
      catalogue,
    );
    assert.deepEqual(estimate.items, [
      {
        address: 'aws_instance.new',
        type: 'aws_instance',
        action: 'create',
        before: null,
        after: 7.59,
        delta: 7.59,
      },
      {
        address: 'aws_instance.old',
        type: 'aws_instance',
        action: 'delete',
        before: 70.08,
        after: null,
        delta: -70.08,
      },
      {
        address: 'aws_instance.bigger',
        type: 'aws_instance',
        action: 'update',
        before: 7.59,
        after: 15.18,
        delta: 7.59,
      },
      {
        address: 'terraform_data.app',
        type: 'terraform_data',
        action: 'replace',
        before: 15.5,
        after: 120,
        delta: 104.5,
      },
    ]);
    assert.deepEqual(
      [estimate.currency, estimate.monthlyBefore, estimate.monthlyAfter, estimate.monthlyDelta],
      ['USD', 93.17, 142.77, 49.6],
    );
    assert.deepEqual(estimate.unpriced, []);
  });

  test('sums are exact to the cent (no 0.1 + 0.2 drift)', () => {
    const dimes: PriceCatalogue = { currency: 'EUR', prices: [{ type: 'x', match: {}, monthly: 0.1 }] };
    const estimate = estimateCost(
      [
        change('x.a', 'create', null, {}),
        change('x.b', 'create', null, {}),
        change('x.c', 'create', null, {}),
      ],
      dimes,
    );
    assert.equal(estimate.monthlyDelta, 0.3);
    assert.equal(estimate.monthlyAfter, 0.3);
    assert.equal(estimate.currency, 'EUR');
  });

  test('a resource without a price is flagged and counts 0, while its known side is still shown', () => {
    const estimate = estimateCost(
      [
        change('aws_lambda_function.f', 'create', null, { memory_size: 128 }),
        change('aws_instance.huge', 'update', web('t3.micro'), web('x2iedn.32xlarge')),
        change('aws_instance.web', 'create', null, web('t3.micro')),
      ],
      catalogue,
    );
    assert.deepEqual(estimate.unpriced, [
      { address: 'aws_lambda_function.f', type: 'aws_lambda_function' },
      { address: 'aws_instance.huge', type: 'aws_instance' },
    ]);
    assert.deepEqual(estimate.items[1], {
      address: 'aws_instance.huge',
      type: 'aws_instance',
      action: 'update',
      before: 7.59,
      after: null,
      delta: 0,
    });
    assert.deepEqual([estimate.monthlyBefore, estimate.monthlyAfter, estimate.monthlyDelta], [0, 7.59, 7.59]);
  });

  test('no-op resources count on both sides with delta 0; reads are left out', () => {
    const estimate = estimateCost(
      [
        change('aws_instance.same', 'no-op', web('m5.large'), web('m5.large')),
        change('aws_ami.latest', 'read', null, { id: 'ami-1' }),
      ],
      catalogue,
    );
    assert.deepEqual(
      estimate.items.map((i) => [i.address, i.before, i.after, i.delta]),
      [['aws_instance.same', 70.08, 70.08, 0]],
    );
    assert.deepEqual(
      [estimate.monthlyBefore, estimate.monthlyAfter, estimate.monthlyDelta],
      [70.08, 70.08, 0],
    );
    assert.deepEqual(estimate.unpriced, []);
  });

  test('an attribute known only after the apply falls through to the catch-all of its type', () => {
    const estimate = estimateCost(
      [change('terraform_data.later', 'create', null, { input: { size: KNOWN_AFTER_APPLY } })],
      catalogue,
    );
    assert.deepEqual(estimate.items[0]?.after, 0);
    assert.deepEqual(estimate.unpriced, []);
  });
});

describe('matching a price entry', () => {
  const entries: PriceCatalogue = {
    currency: 'USD',
    prices: [
      { type: 't', match: { 'disk.0.size': 100, encrypted: true }, monthly: 3 },
      { type: 't', match: { 'input.size': 'small' }, monthly: 2 },
      { type: 't', match: {}, monthly: 1 },
      { type: 'u', match: { 'input.size': 'small' }, monthly: 5 },
    ],
  };
  const priceOf = (type: string, after: Record<string, unknown> | null) =>
    estimateCost([change(`${type}.x`, 'create', null, after)], entries).items[0]?.after;

  test('the first entry whose values all match wins; values compare as text; lists are indexed', () => {
    assert.equal(priceOf('t', { disk: [{ size: '100' }], encrypted: 'true' }), 3);
    assert.equal(priceOf('t', { disk: [{ size: 100 }], encrypted: false }), 1);
    assert.equal(priceOf('t', { input: { size: 'small' } }), 2);
    assert.equal(priceOf('t', {}), 1);
  });

  test('a map, a list or a missing path never matches a value', () => {
    assert.equal(priceOf('u', { input: { size: { a: 1 } } }), null);
    assert.equal(priceOf('u', { input: { size: ['small'] } }), null);
    assert.equal(priceOf('u', { input: 'small' }), null);
    assert.equal(priceOf('u', { 'input.size': 'small' }), null);
    assert.equal(priceOf('u', { input: { size: 'small' } }), 5);
  });
});

test('500 changes are estimated in a few milliseconds', (t) => {
  const sizes = ['t3.micro', 't3.small', 'm5.large', 'c5.xlarge'];
  const changes = Array.from({ length: 500 }, (_, i) =>
    i % 2 === 0
      ? change(`aws_instance.w${i}`, 'update', web(sizes[i % 4]!), web(sizes[(i + 1) % 4]!))
      : change(`terraform_data.d${i}`, 'create', null, { input: { size: i % 3 === 0 ? 'large' : 'small' } }),
  );
  // The best of five runs: the first ones pay for compiling the code.
  const times: number[] = [];
  let estimate = estimateCost(changes, catalogue);
  for (let run = 0; run < 5; run++) {
    const started = performance.now();
    estimate = estimateCost(changes, catalogue);
    times.push(performance.now() - started);
  }
  const best = Math.min(...times);
  t.diagnostic(`estimateCost over 500 changes: ${best.toFixed(2)} ms (best of 5)`);
  assert.equal(estimate.items.length, 500);
  assert.ok(estimate.unpriced.length > 0, 'c5.xlarge has no price');
  assert.ok(best < 25, `${best} ms`);
});
