// Reading a LaunchDarkly flag and planning a share's weights, as data.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FlagError } from '../errors.js';
import {
  fallthroughBaseline,
  findVariation,
  label,
  readLdFlag,
  rolloutWeights,
} from './launchdarkly-flag.js';

const FLAG = {
  key: 'checkout-flow',
  variations: [
    { _id: 'a', value: 'classic', name: 'Classic' },
    { _id: 'b', value: 'one-page' },
    { _id: 'c', value: 3 },
    { _id: 'd', value: { steps: 2 }, name: 'two-step' },
  ],
  environments: {
    production: { on: true, fallthrough: { variation: 0 } },
    staging: {
      on: false,
      fallthrough: {
        rollout: {
          variations: [
            { variation: 0, weight: 90_000 },
            { variation: 1, weight: 10_000 },
          ],
        },
      },
    },
  },
};

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof FlagError);
    return error.code;
  }
  return undefined;
}

describe('launchdarkly flag', () => {
  test('reads variations, and the asked environment only', () => {
    const flag = readLdFlag(FLAG, 'staging');
    assert.deepEqual(
      flag.variations.map((v) => [v.id, v.index, v.name]),
      [
        ['a', 0, 'Classic'],
        ['b', 1, ''],
        ['c', 2, ''],
        ['d', 3, 'two-step'],
      ],
    );
    assert.deepEqual(flag.environment, {
      on: false,
      archived: false,
      fallthrough: {
        rollout: [
          { variation: 0, weight: 90_000 },
          { variation: 1, weight: 10_000 },
        ],
      },
    });
    assert.equal(readLdFlag(FLAG, 'qa').environment, undefined);
    assert.equal(
      codeOf(() => readLdFlag({ key: 'x', variations: [{ value: true }] }, 'production')),
      'FLAG_PROVIDER_FAILED',
    );
    assert.equal(
      codeOf(() => readLdFlag('<html>', 'production')),
      'FLAG_PROVIDER_FAILED',
    );
  });

  test('a variant names a variation by name first, else by its value as text', () => {
    const flag = readLdFlag(FLAG, 'production');
    assert.equal(findVariation(flag, 'Classic').id, 'a');
    assert.equal(findVariation(flag, 'classic').id, 'a');
    assert.equal(findVariation(flag, 'one-page').id, 'b');
    assert.equal(findVariation(flag, '3').id, 'c');
    assert.equal(findVariation(flag, 'two-step').id, 'd');
    assert.equal(
      codeOf(() => findVariation(flag, '{"steps":2}')),
      'FLAG_VARIANT_UNKNOWN',
    );
    const twice = readLdFlag(
      {
        key: 'k',
        variations: [
          { _id: 'x', value: 'on' },
          { _id: 'y', value: 'off', name: 'on' },
        ],
      },
      'p',
    );
    assert.equal(findVariation(twice, 'on').id, 'y', 'a name wins over a value');
    const ambiguous = readLdFlag(
      {
        key: 'k',
        variations: [
          { _id: 'x', value: 1, name: 'n' },
          { _id: 'y', value: 2, name: 'n' },
        ],
      },
      'p',
    );
    assert.equal(
      codeOf(() => findVariation(ambiguous, 'n')),
      'FLAG_VARIANT_UNKNOWN',
    );
  });

  test('the baseline is what the default rule serves besides the variant', () => {
    const production = readLdFlag(FLAG, 'production');
    assert.equal(fallthroughBaseline(production, findVariation(production, 'one-page')).id, 'a');
    const staging = readLdFlag(FLAG, 'staging');
    assert.equal(fallthroughBaseline(staging, findVariation(staging, 'one-page')).id, 'a');
    assert.equal(
      codeOf(() => fallthroughBaseline(staging, findVariation(staging, '3'))),
      'FLAG_ROLLOUT_INVALID',
    );
    assert.equal(
      codeOf(() => fallthroughBaseline(readLdFlag(FLAG, 'qa'), findVariation(staging, '3'))),
      'FLAG_ROLLOUT_INVALID',
    );
  });

  test('labels a variation by name, else value', () => {
    const flag = readLdFlag(FLAG, 'production');
    assert.deepEqual(flag.variations.map(label), ['Classic', 'one-page', '3', 'two-step']);
  });

  test('a share weighs the variant and the baseline in thousandths, every other variation 0', () => {
    const flag = readLdFlag(FLAG, 'production');
    const [a, b] = flag.variations;
    assert.deepEqual(rolloutWeights(flag.variations, b!, a!, 5_000), { a: 95_000, b: 5_000, c: 0, d: 0 });
    assert.deepEqual(rolloutWeights(flag.variations, b!, a!, 0), { a: 100_000, b: 0, c: 0, d: 0 });
    assert.deepEqual(rolloutWeights(flag.variations, b!, a!, 100_000), { a: 0, b: 100_000, c: 0, d: 0 });
  });
});
