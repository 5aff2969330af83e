// Unit tests of the pure flag changes: each gives a new definition or refuses with a FlagError,
// leaving the document it was given as it was.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FlagError, type FlagErrorCode } from './errors.js';
import {
  assertVariant,
  flagOf,
  parseWeights,
  withDefaultVariant,
  withFlag,
  withRolloutShare,
  withState,
  withWeights,
} from './flag-changes.js';
import type { FlagDefinition, FlagDocument } from './flag-document.js';
import { FlagEngine } from './flag-engine.js';

const checkout: FlagDefinition = {
  state: 'ENABLED',
  variants: { old: 'v1', new: 'v2', beta: 'v3' },
  defaultVariant: 'old',
  metadata: { owner: 'payments' },
};
const DOC: FlagDocument = Object.freeze({
  flags: Object.freeze({
    checkout: Object.freeze(checkout),
    banner: { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'off' },
  }),
  $evaluators: { is_staff: { ends_with: [{ var: 'email' }, '@example.com'] } },
}) as FlagDocument;

const refuses = (code: FlagErrorCode, message: RegExp) => (error: unknown) => {
  assert.ok(error instanceof FlagError, String(error));
  assert.equal(error.code, code);
  assert.match(error.message, message);
  return true;
};

describe('flagOf and assertVariant', () => {
  test('the definition of a known flag', () => {
    assert.equal(flagOf(DOC, 'checkout'), checkout);
  });

  test('an unknown flag is FLAG_UNKNOWN naming the flags there are', () => {
    assert.throws(
      () => flagOf(DOC, 'chekout'),
      refuses('FLAG_UNKNOWN', /no flag 'chekout' \(flags: checkout, banner\)/),
    );
    assert.throws(() => flagOf({ flags: {} }, 'x'), refuses('FLAG_UNKNOWN', /no flags are defined/));
    // Inherited names are not flags.
    for (const key of ['toString', '__proto__', 'constructor'])
      assert.throws(() => flagOf(DOC, key), refuses('FLAG_UNKNOWN', /no flag/));
  });

  test('an unknown variant is FLAG_VARIANT_UNKNOWN naming the variants', () => {
    assert.doesNotThrow(() => assertVariant('checkout', checkout, 'beta'));
    assert.throws(
      () => assertVariant('checkout', checkout, 'v2'),
      refuses('FLAG_VARIANT_UNKNOWN', /flag 'checkout' has no variant 'v2' \(variants: old, new, beta\)/),
    );
  });
});

describe('withDefaultVariant and withState', () => {
  test('a new default variant, everything else kept', () => {
    assert.deepEqual(withDefaultVariant(DOC, 'checkout', 'new'), { ...checkout, defaultVariant: 'new' });
    assert.throws(
      () => withDefaultVariant(DOC, 'checkout', 'newer'),
      refuses('FLAG_VARIANT_UNKNOWN', /newer/),
    );
    assert.throws(() => withDefaultVariant(DOC, 'nope', 'new'), refuses('FLAG_UNKNOWN', /nope/));
  });

  test('enabled or disabled', () => {
    assert.deepEqual(withState(DOC, 'checkout', 'DISABLED'), { ...checkout, state: 'DISABLED' });
    assert.deepEqual(withState(DOC, 'checkout', 'ENABLED'), checkout);
    assert.throws(() => withState(DOC, 'nope', 'DISABLED'), refuses('FLAG_UNKNOWN', /nope/));
  });
});

describe('parseWeights and withWeights', () => {
  test('variant=weight pairs in the order written, spaces allowed', () => {
    assert.deepEqual(parseWeights('checkout', checkout, 'new=5, old = 95'), [
      ['new', 5],
      ['old', 95],
    ]);
    assert.deepEqual(parseWeights('checkout', checkout, 'beta=1,new=0,'), [
      ['beta', 1],
      ['new', 0],
    ]);
  });

  const bad: [string, FlagErrorCode, RegExp][] = [
    ['', 'FLAG_WEIGHTS_INVALID', /written variant=weight/],
    [' , ', 'FLAG_WEIGHTS_INVALID', /written variant=weight/],
    ['new', 'FLAG_WEIGHTS_INVALID', /'new' is not variant=weight/],
    ['new=5.5', 'FLAG_WEIGHTS_INVALID', /whole number/],
    ['new=-5', 'FLAG_WEIGHTS_INVALID', /whole number/],
    ['new=ten', 'FLAG_WEIGHTS_INVALID', /whole number/],
    ['new=5,new=95', 'FLAG_WEIGHTS_INVALID', /'new' is weighted twice/],
    ['new=0,old=0', 'FLAG_WEIGHTS_INVALID', /at least one weight must be above 0/],
    ['newer=5', 'FLAG_VARIANT_UNKNOWN', /no variant 'newer'/],
    ['new=2147483647,old=1', 'FLAG_WEIGHTS_INVALID', /more than 2147483647/],
    ['new=99999999999999999999999', 'FLAG_WEIGHTS_INVALID', /more than 2147483647/],
  ];
  for (const [text, code, message] of bad) {
    test(`refuses '${text}'`, () =>
      assert.throws(() => parseWeights('checkout', checkout, text), refuses(code, message)));
  }

  test('the largest total flagd takes is taken, and buckets', () => {
    const weights = parseWeights('checkout', checkout, 'new=2147483646,old=1');
    const flag = withWeights({ flags: { checkout } }, 'checkout', 'new=2147483646,old=1');
    assert.deepEqual(flag.targeting, { fractional: weights });
    const engine = new FlagEngine({ version: 1, document: { flags: { checkout: flag } } });
    assert.equal(
      (engine.evaluate('checkout', { targetingKey: 'u' }).body as { reason: string }).reason,
      'TARGETING_MATCH',
    );
  });

  test('withWeights replaces the targeting with a fractional split over the targeting key', () => {
    const targeted = { ...checkout, targeting: { if: [{ $ref: 'is_staff' }, 'beta'] } };
    const flag = withWeights({ ...DOC, flags: { checkout: targeted } }, 'checkout', 'new=25,old=75');
    assert.deepEqual(flag, {
      ...checkout,
      targeting: {
        fractional: [
          ['new', 25],
          ['old', 75],
        ],
      },
    });
    const engine = new FlagEngine({ version: 1, document: { flags: { checkout: flag } } });
    const served = new Map<string, number>();
    for (let i = 0; i < 1000; i++) {
      const body = engine.evaluate('checkout', { targetingKey: `user-${i}` }).body as { variant: string };
      served.set(body.variant, (served.get(body.variant) ?? 0) + 1);
    }
    assert.ok((served.get('new') ?? 0) > 180 && (served.get('new') ?? 0) < 320, JSON.stringify([...served]));
    assert.equal(served.get('beta'), undefined);
  });
});

describe('withRolloutShare', () => {
  test('the new variant first, the baseline the rest, enabled', () => {
    const flag = withRolloutShare(
      { ...checkout, state: 'DISABLED' },
      { variant: 'new', baseline: 'old', percent: 10 },
    );
    assert.deepEqual(flag, {
      ...checkout,
      state: 'ENABLED',
      targeting: {
        fractional: [
          ['new', 10],
          ['old', 90],
        ],
      },
    });
  });

  test('a share is clamped to 0..100 and rounded', () => {
    const weights = (percent: number) =>
      (
        withRolloutShare(checkout, { variant: 'new', baseline: 'old', percent }).targeting as {
          fractional: unknown;
        }
      ).fractional;
    assert.deepEqual(weights(150), [
      ['new', 100],
      ['old', 0],
    ]);
    assert.deepEqual(weights(-3), [
      ['new', 0],
      ['old', 100],
    ]);
    assert.deepEqual(weights(33.6), [
      ['new', 34],
      ['old', 66],
    ]);
  });

  test('a share that is not a number is FLAG_ROLLOUT_INVALID', () => {
    for (const percent of [Number.NaN, Number.POSITIVE_INFINITY])
      assert.throws(
        () => withRolloutShare(checkout, { variant: 'new', baseline: 'old', percent }),
        refuses('FLAG_ROLLOUT_INVALID', /must be a number of percent/),
      );
  });

  test('a user who has the new variant keeps it as the share grows', () => {
    const engineAt = (percent: number) =>
      new FlagEngine({
        version: percent,
        document: {
          flags: { checkout: withRolloutShare(checkout, { variant: 'new', baseline: 'old', percent }) },
        },
      });
    const users = Array.from({ length: 500 }, (_, i) => `user-${i}`);
    const served = (percent: number) => {
      const engine = engineAt(percent);
      return new Set(
        users.filter(
          (u) =>
            (engine.evaluate('checkout', { targetingKey: u }).body as { variant: string }).variant === 'new',
        ),
      );
    };
    const [five, twenty, sixty] = [served(5), served(20), served(60)];
    assert.ok(five.size > 0 && five.size < twenty.size && twenty.size < sixty.size);
    for (const u of five) assert.ok(twenty.has(u), u);
    for (const u of twenty) assert.ok(sixty.has(u), u);
  });

  test('with a gate, only users it matches take part; the others get the default variant', () => {
    const flag = withRolloutShare(checkout, {
      variant: 'new',
      baseline: 'old',
      percent: 100,
      gate: { $ref: 'is_staff' },
    });
    const engine = new FlagEngine({ version: 1, document: withFlag(DOC, 'checkout', flag) });
    assert.deepEqual(engine.evaluate('checkout', { targetingKey: 'u', email: 'ada@example.com' }).body, {
      key: 'checkout',
      value: 'v2',
      reason: 'TARGETING_MATCH',
      variant: 'new',
      metadata: { owner: 'payments' },
    });
    assert.deepEqual(engine.evaluate('checkout', { targetingKey: 'u', email: 'bob@elsewhere.org' }).body, {
      key: 'checkout',
      value: 'v1',
      reason: 'DEFAULT',
      variant: 'old',
      metadata: { owner: 'payments' },
    });
  });
});

describe('withFlag', () => {
  test('a new document with the flag replaced or added; the one given is left as it was', () => {
    const next = withFlag(DOC, 'checkout', { ...checkout, defaultVariant: 'new' });
    assert.equal(next.flags.checkout?.defaultVariant, 'new');
    assert.equal(next.flags.banner, DOC.flags.banner);
    assert.equal(next.$evaluators, DOC.$evaluators);
    assert.equal(DOC.flags.checkout?.defaultVariant, 'old');
    const added = withFlag(DOC, 'fresh', { state: 'ENABLED', variants: { a: 1 }, defaultVariant: 'a' });
    assert.deepEqual(Object.keys(added.flags), ['checkout', 'banner', 'fresh']);
  });

  test("a flag flagd's schema refuses is FLAG_DEFINITION_INVALID with the path inside the flag", () => {
    assert.throws(
      () => withFlag(DOC, 'checkout', { ...checkout, variants: { old: 'v1', new: 2 } }),
      refuses(
        'FLAG_DEFINITION_INVALID',
        /^flag 'checkout' would not be a valid flagd definition: variants\.new: must be string$/,
      ),
    );
    assert.throws(
      () => withFlag(DOC, 'checkout', { ...checkout, defaultVariant: 'gone' }),
      refuses('FLAG_DEFINITION_INVALID', /defaultVariant: default variant 'gone' is not one of the variants/),
    );
    assert.throws(
      () => withFlag(DOC, 'checkout', { ...checkout, targeting: { if: [{ $ref: 'is_admin' }, 'new'] } }),
      refuses('FLAG_DEFINITION_INVALID', /targeting\.if\.0\.\$ref: '\$ref' names no evaluator 'is_admin'/),
    );
  });

  test('another flag the schema refuses neither blocks the change nor hides what is wrong with this one', () => {
    const legacy = {
      ...DOC,
      flags: { ...DOC.flags, legacy: { state: 'ON', variants: { a: 1 } } },
    } as unknown as FlagDocument;
    const next = withFlag(legacy, 'checkout', { ...checkout, defaultVariant: 'beta' });
    assert.equal(next.flags.checkout?.defaultVariant, 'beta');
    assert.throws(
      () => withFlag(legacy, 'checkout', { ...checkout, defaultVariant: 'gone' }),
      refuses('FLAG_DEFINITION_INVALID', /defaultVariant: default variant 'gone'/),
    );
  });

  test('a set-level problem is reported by its own path', () => {
    const broken = { ...DOC, metadata: { owner: { team: 'x' } } } as unknown as FlagDocument;
    assert.throws(
      () => withFlag(broken, 'checkout', checkout),
      refuses('FLAG_DEFINITION_INVALID', /: metadata\.owner: must be string,number,boolean$/),
    );
  });
});
