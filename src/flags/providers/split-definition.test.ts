// Reading a Split definition, finding its baseline and planning a share's default rule, as data;
// and the share units each service takes.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FlagError } from '../errors.js';
import { shareInUnits } from './share-percent.js';
import { assertTreatment, defaultRuleFor, readSplitDefinition, splitBaseline } from './split-definition.js';

const DEFINITION = {
  name: 'checkout_flow',
  killed: false,
  treatments: [{ name: 'classic' }, { name: 'one_page', configurations: '{}' }, { name: 'express' }],
  defaultTreatment: 'express',
  defaultRule: [{ treatment: 'classic', size: 100 }],
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

describe('split definition', () => {
  test('reads treatments, the default rule and treatment, and whether it is killed', () => {
    assert.deepEqual(readSplitDefinition(DEFINITION, 'checkout_flow'), {
      name: 'checkout_flow',
      killed: false,
      treatments: ['classic', 'one_page', 'express'],
      defaultTreatment: 'express',
      defaultRule: [{ treatment: 'classic', size: 100 }],
    });
    assert.equal(
      codeOf(() => readSplitDefinition({ name: 'x' }, 'x')),
      'FLAG_PROVIDER_FAILED',
    );
  });

  test('the baseline: what the default rule serves besides the variant, else the default treatment', () => {
    const read = (defaultRule: { treatment: string; size: number }[]) =>
      readSplitDefinition({ ...DEFINITION, defaultRule }, 'checkout_flow');
    assert.equal(splitBaseline(read([{ treatment: 'classic', size: 100 }]), 'one_page'), 'classic');
    assert.equal(
      splitBaseline(
        read([
          { treatment: 'one_page', size: 40 },
          { treatment: 'classic', size: 60 },
        ]),
        'one_page',
      ),
      'classic',
    );
    assert.equal(
      splitBaseline(
        read([
          { treatment: 'classic', size: 50 },
          { treatment: 'one_page', size: 0 },
          { treatment: 'express', size: 50 },
        ]),
        'one_page',
      ),
      'express',
    );
    assert.equal(splitBaseline(read([{ treatment: 'one_page', size: 100 }]), 'one_page'), 'express');
    assert.equal(
      codeOf(() =>
        splitBaseline(
          read([
            { treatment: 'one_page', size: 50 },
            { treatment: 'classic', size: 25 },
            { treatment: 'express', size: 25 },
          ]),
          'express',
        ),
      ),
      'FLAG_ROLLOUT_INVALID',
    );
  });

  test('a treatment must be one of the definition', () => {
    const definition = readSplitDefinition(DEFINITION, 'checkout_flow');
    assertTreatment(definition, 'express', 'Production');
    assert.equal(
      codeOf(() => assertTreatment(definition, 'control', 'Production')),
      'FLAG_VARIANT_UNKNOWN',
    );
  });

  test('a share is the variant’s bucket and the baseline’s, without empty ones', () => {
    assert.deepEqual(defaultRuleFor('one_page', 'classic', 5), [
      { treatment: 'one_page', size: 5 },
      { treatment: 'classic', size: 95 },
    ]);
    assert.deepEqual(defaultRuleFor('one_page', 'classic', 0), [{ treatment: 'classic', size: 100 }]);
    assert.deepEqual(defaultRuleFor('one_page', 'classic', 100), [{ treatment: 'one_page', size: 100 }]);
  });

  test('shares in a service’s units: whole percents, or thousandths', () => {
    assert.equal(shareInUnits('Split', 5, 1), 5);
    assert.equal(shareInUnits('LaunchDarkly', 0.1, 1000), 100);
    assert.equal(shareInUnits('LaunchDarkly', 33.333, 1000), 33_333);
    assert.equal(
      codeOf(() => shareInUnits('Split', 2.5, 1)),
      'FLAG_WEIGHTS_INVALID',
    );
    assert.equal(
      codeOf(() => shareInUnits('LaunchDarkly', 1 / 3, 1000)),
      'FLAG_WEIGHTS_INVALID',
    );
    for (const bad of [-0.001, 100.001, Number.NaN])
      assert.equal(
        codeOf(() => shareInUnits('x', bad, 1)),
        'FLAG_WEIGHTS_INVALID',
      );
  });
});
