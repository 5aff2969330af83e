// Unit tests of FlagEngine: flagd's evaluation (through flagd-core) shaped as OFREP answers the way
// flagd's OFREP service shapes them.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FlagError } from './errors.js';
import type { FlagDefinition, FlagDocument } from './flag-document.js';
import { FlagEngine } from './flag-engine.js';

const engineOf = (document: FlagDocument, version = 1) => new FlagEngine({ version, document });
const flag = (definition: Partial<FlagDefinition> & Pick<FlagDefinition, 'variants'>): FlagDefinition => ({
  state: 'ENABLED',
  ...definition,
});
const onOff = { on: true, off: false };

describe('reasons', () => {
  const engine = engineOf({
    flags: {
      static: flag({ variants: { red: '#f00', blue: '#00f' }, defaultVariant: 'blue' }),
      targeted: flag({
        variants: onOff,
        defaultVariant: 'off',
        targeting: { if: [{ '==': [{ var: 'plan' }, 'pro'] }, 'on', null] },
      }),
      noDefault: flag({ variants: onOff, defaultVariant: null }),
      noDefaultTargeted: flag({ variants: onOff, targeting: { if: [{ var: 'beta' }, 'on', null] } }),
      disabled: flag({
        state: 'DISABLED',
        variants: onOff,
        defaultVariant: 'on',
        metadata: { owner: 'web' },
      }),
      emptyTargeting: flag({ variants: onOff, defaultVariant: 'on', targeting: {} }),
    },
  });

  test('STATIC: no targeting serves the default variant', () => {
    assert.deepEqual(engine.evaluate('static', {}), {
      status: 200,
      body: { key: 'static', value: '#00f', reason: 'STATIC', variant: 'blue', metadata: {} },
    });
  });

  test('an empty targeting object is no targeting (STATIC)', () => {
    assert.equal(
      (engine.evaluate('emptyTargeting', { plan: 'pro' }).body as { reason: string }).reason,
      'STATIC',
    );
  });

  test('TARGETING_MATCH: the variant the rule returns', () => {
    assert.deepEqual(engine.evaluate('targeted', { plan: 'pro' }), {
      status: 200,
      body: { key: 'targeted', value: true, reason: 'TARGETING_MATCH', variant: 'on', metadata: {} },
    });
  });

  test('DEFAULT: a rule returning null serves the default variant, with its value', () => {
    assert.deepEqual(engine.evaluate('targeted', { plan: 'free' }), {
      status: 200,
      body: { key: 'targeted', value: false, reason: 'DEFAULT', variant: 'off', metadata: {} },
    });
  });

  test('DEFAULT without a default variant carries no value and no variant (the code default applies)', () => {
    assert.deepEqual(engine.evaluate('noDefault', {}), {
      status: 200,
      body: { key: 'noDefault', reason: 'DEFAULT', metadata: {} },
    });
    assert.deepEqual(engine.evaluate('noDefaultTargeted', { beta: false }).body, {
      key: 'noDefaultTargeted',
      reason: 'DEFAULT',
      metadata: {},
    });
    assert.deepEqual(engine.evaluate('noDefaultTargeted', { beta: true }).body, {
      key: 'noDefaultTargeted',
      value: true,
      reason: 'TARGETING_MATCH',
      variant: 'on',
      metadata: {},
    });
  });

  test('DISABLED carries no value and no variant, but the metadata', () => {
    assert.deepEqual(engine.evaluate('disabled', { plan: 'pro' }), {
      status: 200,
      body: { key: 'disabled', reason: 'DISABLED', metadata: { owner: 'web' } },
    });
  });
});

describe('errors', () => {
  const engine = engineOf({
    flags: {
      unknownOperator: flag({ variants: onOff, defaultVariant: 'off', targeting: { no_such_op: [1] } }),
      unknownRef: flag({
        variants: onOff,
        defaultVariant: 'off',
        targeting: { if: [{ $ref: 'ghost' }, 'on'] },
      }),
      unknownVariant: flag({ variants: onOff, defaultVariant: 'off', targeting: { if: [true, 'maybe'] } }),
      withMetadata: flag({
        variants: onOff,
        defaultVariant: 'off',
        targeting: { if: [true, 'nope'] },
        metadata: { team: 'growth' },
      }),
    },
  });

  test('FLAG_NOT_FOUND is a 404 naming the key', () => {
    assert.deepEqual(engine.evaluate('missing', {}), {
      status: 404,
      body: { key: 'missing', errorCode: 'FLAG_NOT_FOUND', errorDetails: "flag 'missing' was not found" },
    });
  });

  test('PARSE_ERROR: targeting that does not compile (an unknown operator, a $ref to no evaluator) is a 400', () => {
    for (const key of ['unknownOperator', 'unknownRef']) {
      const r = engine.evaluate(key, {});
      assert.equal(r.status, 400);
      assert.equal((r.body as { errorCode: string }).errorCode, 'PARSE_ERROR', key);
      assert.match((r.body as { errorDetails: string }).errorDetails, new RegExp(key));
    }
  });

  test('GENERAL: a rule returning a variant the flag does not have is a 400 with the flag metadata', () => {
    assert.deepEqual(engine.evaluate('unknownVariant', {}), {
      status: 400,
      body: {
        key: 'unknownVariant',
        errorCode: 'GENERAL',
        errorDetails: "Variant 'maybe' not found in flag with key 'unknownVariant'",
        metadata: {},
      },
    });
    assert.deepEqual((engine.evaluate('withMetadata', {}).body as { metadata: object }).metadata, {
      team: 'growth',
    });
  });

  test('a definition flagd-core cannot build is FLAG_DEFINITION_INVALID', () => {
    assert.throws(
      () => engineOf({ flags: { a: flag({ variants: onOff, defaultVariant: 'maybe' }) } }),
      (error: unknown) => error instanceof FlagError && error.code === 'FLAG_DEFINITION_INVALID',
    );
  });
});

describe("flagd's operators", () => {
  const engine = engineOf({
    flags: {
      split: flag({
        variants: { a: 'a', b: 'b' },
        defaultVariant: 'a',
        targeting: {
          fractional: [
            ['a', 25],
            ['b', 75],
          ],
        },
      }),
      byEmail: flag({
        variants: { a: 'a', b: 'b' },
        defaultVariant: 'a',
        targeting: { fractional: [{ var: 'email' }, ['a', 50], ['b', 50]] },
      }),
      edge: flag({
        variants: { lower: 'lower', upper: 'upper' },
        defaultVariant: 'lower',
        targeting: { fractional: [{ var: 'targetingKey' }, ['lower', 50], ['upper', 50]] },
      }),
      version: flag({
        variants: { new: 'new', old: 'old' },
        defaultVariant: 'old',
        targeting: {
          if: [
            { sem_ver: [{ var: 'app' }, '>=', '2.1.0'] },
            'new',
            { if: [{ sem_ver: [{ var: 'app' }, '^', '1.0.0'] }, 'old', null] },
          ],
        },
      }),
      domain: flag({
        variants: { staff: 'staff', test: 'test', other: 'other' },
        defaultVariant: 'other',
        targeting: {
          if: [
            { ends_with: [{ var: 'email' }, '@example.com'] },
            'staff',
            { starts_with: [{ var: 'email' }, 'qa+'] },
            'test',
            null,
          ],
        },
      }),
      country: flag({
        variants: onOff,
        defaultVariant: 'off',
        targeting: { if: [{ in: [{ var: 'country' }, ['CA', 'FR']] }, 'on', 'off'] },
      }),
      whoAmI: flag({
        variants: { 'who-am-i': 'me', other: 'other' },
        defaultVariant: 'other',
        targeting: {
          if: [
            {
              and: [
                { '==': [{ var: '$flagd.flagKey' }, 'whoAmI'] },
                { '>': [{ var: '$flagd.timestamp' }, 1.7e9] },
              ],
            },
            'who-am-i',
          ],
        },
      }),
    },
  });
  const variantOf = (key: string, context: Record<string, unknown>) =>
    (engine.evaluate(key, context as never).body as { variant?: string }).variant;

  test('fractional buckets by flag key and targeting key, the same user always in the same bucket', () => {
    const counts = { a: 0, b: 0 };
    for (let i = 0; i < 2000; i++) {
      const variant = variantOf('split', { targetingKey: `user-${i}` }) as 'a' | 'b';
      counts[variant]++;
      if (i < 50) assert.equal(variantOf('split', { targetingKey: `user-${i}` }), variant);
    }
    assert.ok(counts.a > 400 && counts.a < 600, `25% of 2000 expected, got ${counts.a}`);
    assert.equal(counts.a + counts.b, 2000);
  });

  test("fractional matches flagd's bucketing (flagd >= 0.15, testbed hash edge vectors)", () => {
    for (const [key, expected] of [
      ['ejOoVL', 'lower'],
      ['bY9fO-', 'lower'],
      ['SI7p-', 'lower'],
      ['6LvT0', 'upper'],
      ['ceQdGm', 'upper'],
    ])
      assert.equal(variantOf('edge', { targetingKey: key }), expected, key);
  });

  test('fractional without its bucketing value falls back to the default variant', () => {
    assert.deepEqual(engine.evaluate('split', {}).body, {
      key: 'split',
      value: 'a',
      reason: 'DEFAULT',
      variant: 'a',
      metadata: {},
    });
    assert.equal(
      (engine.evaluate('byEmail', { targetingKey: 'x' }).body as { reason: string }).reason,
      'DEFAULT',
    );
  });

  test('sem_ver compares versions, not strings', () => {
    assert.equal(variantOf('version', { app: '2.10.0' }), 'new');
    assert.equal(variantOf('version', { app: '2.1.0' }), 'new');
    assert.deepEqual(engine.evaluate('version', { app: '2.0.9' }).body, {
      key: 'version',
      value: 'old',
      reason: 'DEFAULT',
      variant: 'old',
      metadata: {},
    });
    assert.equal(variantOf('version', { app: '1.9.0' }), 'old');
    assert.equal(variantOf('version', { app: 'v2.2.0' }), 'new');
    assert.equal(
      (engine.evaluate('version', { app: 'not-a-version' }).body as { reason: string }).reason,
      'DEFAULT',
    );
  });

  test('starts_with and ends_with', () => {
    assert.equal(variantOf('domain', { email: 'ada@example.com' }), 'staff');
    assert.equal(variantOf('domain', { email: 'qa+1@elsewhere.org' }), 'test');
    assert.equal(variantOf('domain', { email: 'bob@elsewhere.org' }), 'other');
    assert.equal(variantOf('domain', { email: 42 }), 'other');
  });

  test('in', () => {
    assert.equal(variantOf('country', { country: 'FR' }), 'on');
    assert.equal(variantOf('country', { country: 'DE' }), 'off');
  });

  test("$flagd.flagKey and $flagd.timestamp are in the context targeting sees, not in the caller's", () => {
    const context = { targetingKey: 'u' };
    assert.equal(variantOf('whoAmI', context), 'who-am-i');
    assert.deepEqual(context, { targetingKey: 'u' });
  });
});

describe('$evaluators', () => {
  const document: FlagDocument = {
    flags: {
      banner: flag({
        variants: onOff,
        defaultVariant: 'off',
        targeting: { if: [{ $ref: 'is_staff' }, 'on', 'off'] },
      }),
      theme: flag({
        variants: { dark: 'dark', light: 'light' },
        defaultVariant: 'light',
        targeting: { if: [{ and: [{ $ref: 'is_staff' }, { $ref: 'is_night' }] }, 'dark', null] },
      }),
    },
    $evaluators: {
      is_staff: { ends_with: [{ var: 'email' }, '@example.com'] },
      is_night: { '>=': [{ var: 'hour' }, 20] },
    },
  };
  const engine = engineOf(document);

  test('a $ref is replaced by its evaluator, in every flag that uses it', () => {
    const staff = { email: 'ada@example.com', hour: 21 };
    assert.equal((engine.evaluate('banner', staff).body as { value: boolean }).value, true);
    assert.equal((engine.evaluate('banner', { email: 'x@y.z' }).body as { value: boolean }).value, false);
    assert.equal((engine.evaluate('theme', staff).body as { value: string }).value, 'dark');
    assert.equal(
      (engine.evaluate('theme', { ...staff, hour: 9 }).body as { reason: string }).reason,
      'DEFAULT',
    );
  });
});

describe('the flag set', () => {
  const document: FlagDocument = {
    flags: {
      b: flag({ variants: onOff, defaultVariant: 'on', metadata: { owner: 'web', version: 3 } }),
      a: flag({ state: 'DISABLED', variants: onOff, defaultVariant: 'on' }),
      broken: flag({ variants: onOff, defaultVariant: 'on', targeting: { if: [true, 'nope'] } }),
    },
    metadata: { flagSetId: 'shop', version: 1 },
  };
  const engine = engineOf(document);

  test('flag metadata is the set metadata overlaid with the flag own', () => {
    assert.deepEqual((engine.evaluate('b', {}).body as { metadata: object }).metadata, {
      flagSetId: 'shop',
      owner: 'web',
      version: 3,
    });
    assert.deepEqual(engine.metadata(), { flagSetId: 'shop', version: 1 });
  });

  test('evaluateAll lists every flag in document order, disabled and failed ones too', () => {
    assert.deepEqual(engine.keys(), ['b', 'a', 'broken']);
    assert.deepEqual(engine.evaluateAll({}), [
      engine.evaluate('b', {}).body,
      { key: 'a', reason: 'DISABLED', metadata: { flagSetId: 'shop', version: 1 } },
      engine.evaluate('broken', {}).body,
    ]);
    assert.equal((engine.evaluateAll({})[2] as { errorCode: string }).errorCode, 'GENERAL');
  });

  test('the digest names the document, whatever its key order or version', () => {
    const reordered: FlagDocument = {
      metadata: { version: 1, flagSetId: 'shop' },
      flags: {
        broken: {
          targeting: { if: [true, 'nope'] },
          defaultVariant: 'on',
          variants: { off: false, on: true },
          state: 'ENABLED',
        },
        a: { variants: onOff, state: 'DISABLED', defaultVariant: 'on' },
        b: {
          metadata: { version: 3, owner: 'web' },
          defaultVariant: 'on',
          variants: onOff,
          state: 'ENABLED',
        },
      },
    };
    assert.equal(engineOf(reordered, 7).digest, engine.digest);
    assert.match(engine.digest, /^[0-9a-f]{16}$/);
    const changed = {
      ...document,
      flags: { ...document.flags, a: { ...document.flags.a!, state: 'ENABLED' as const } },
    };
    assert.notEqual(engineOf(changed).digest, engine.digest);
    // Arrays keep their order: fractional buckets are ordered.
    const swap = (weights: [string, number][]) =>
      engineOf({
        flags: { s: flag({ variants: onOff, defaultVariant: 'on', targeting: { fractional: weights } }) },
      }).digest;
    assert.notEqual(
      swap([
        ['on', 1],
        ['off', 1],
      ]),
      swap([
        ['off', 1],
        ['on', 1],
      ]),
    );
  });

  test('the snapshot is kept as given', () => {
    assert.deepEqual(engineOf(document, 42).snapshot, { version: 42, document });
  });
});

describe('answers as sent', () => {
  const engine = engineOf({
    flags: {
      plain: flag({ variants: { a: 'x', b: 'y' }, defaultVariant: 'a', metadata: { team: 'web' } }),
      targeted: flag({
        variants: onOff,
        defaultVariant: 'off',
        targeting: {
          if: [{ '==': [{ var: 'plan' }, 'pro'] }, 'on', { if: [{ var: 'broken' }, 'nope', null] }],
        },
      }),
    },
    metadata: { flagSetId: 'shop' },
  });

  test('the JSON is the body as JSON, for every kind of answer', () => {
    for (const [key, context] of [
      ['plain', {}],
      ['targeted', { plan: 'pro' }],
      ['targeted', { plan: 'free' }],
      ['targeted', { broken: true }],
      ['missing', {}],
    ] as const) {
      const answer = engine.answer(key, context);
      assert.equal(answer.json, JSON.stringify(answer.body), `${key} ${JSON.stringify(context)}`);
      assert.deepEqual({ status: answer.status, body: answer.body }, engine.evaluate(key, context));
    }
    assert.equal(engine.metadataJson, '{"flagSetId":"shop"}');
  });

  test('an answer depends on the context only through the variant and reason flagd-core picks', () => {
    const pro = engine.answer('targeted', { plan: 'pro', targetingKey: 'a' });
    const free = engine.answer('targeted', { plan: 'free' });
    assert.equal(engine.answer('targeted', { plan: 'pro', targetingKey: 'b' }), pro);
    assert.notEqual(free, pro);
    assert.equal((pro.body as { value: boolean }).value, true);
    assert.equal((free.body as { reason: string }).reason, 'DEFAULT');
    assert.equal(engine.answer('plain', { plan: 'pro' }), engine.answer('plain', {}));
  });

  test('kept answers cannot be changed by a caller', () => {
    const body = engine.answer('plain', {}).body as { value: unknown };
    assert.throws(() => {
      body.value = 'changed';
    }, TypeError);
    assert.equal((engine.answer('plain', {}).body as { value: unknown }).value, 'x');
  });

  test('errors are answered afresh each time, with the message of the variant named', () => {
    const first = engine.answer('targeted', { broken: true });
    assert.equal(first.status, 400);
    assert.notEqual(engine.answer('targeted', { broken: true }), first);
    assert.deepEqual(engine.answer('targeted', { broken: true }), first);
  });
});
