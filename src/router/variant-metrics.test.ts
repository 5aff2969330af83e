import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { quantile } from './histogram.js';
import {
  MAX_FLAG_VARIANT_PAIRS,
  MAX_FLAG_VARIANT_SERIES,
  parseFlagVariants,
  VariantMetrics,
} from './variant-metrics.js';

describe('parseFlagVariants', () => {
  test('reads comma-separated flag=variant pairs, tolerating whitespace', () => {
    assert.deepEqual(parseFlagVariants('new-checkout=on, theme=dark'), ['new-checkout=on', 'theme=dark']);
    assert.deepEqual(parseFlagVariants(' \tnew-checkout = on ,theme=dark\t,'), [
      'new-checkout=on',
      'theme=dark',
    ]);
    assert.deepEqual(parseFlagVariants('a.b_c:d=V-1/x'), ['a.b_c:d=V-1/x']);
  });

  test('skips malformed pairs and keeps the rest', () => {
    const header = [
      'no-equals',
      '=on',
      'flag=',
      ' = ',
      'a=b=c',
      'sp ace=on',
      'flag=sp ace',
      'caf\u00e9=on',
      'ctl\u0001=on',
      '',
      'good=yes',
    ].join(',');
    assert.deepEqual(parseFlagVariants(header), ['good=yes']);
    assert.deepEqual(parseFlagVariants(''), []);
    assert.deepEqual(parseFlagVariants(',,,'), []);
  });

  test('counts a pair named twice once', () => {
    assert.deepEqual(parseFlagVariants('a=1, a=1, a=2'), ['a=1', 'a=2']);
  });

  test(`reads at most ${MAX_FLAG_VARIANT_PAIRS} entries and skips overlong ones`, () => {
    const many = Array.from({ length: 40 }, (_, i) => `f${i}=v`).join(',');
    const pairs = parseFlagVariants(many);
    assert.equal(pairs.length, MAX_FLAG_VARIANT_PAIRS);
    assert.equal(pairs.at(-1), `f${MAX_FLAG_VARIANT_PAIRS - 1}=v`);
    assert.deepEqual(parseFlagVariants(`${'x'.repeat(300)}=v, ok=1`), ['ok=1']);
  });
});

describe('VariantMetrics', () => {
  test('has no snapshot until a response named a variant', () => {
    const variants = new VariantMetrics();
    assert.equal(variants.snapshot(), undefined);
    variants.record('nothing valid', false, false, 1);
    assert.equal(variants.snapshot(), undefined);
  });

  test('counts requests, 5xx, connection errors and latency under every pair', () => {
    const variants = new VariantMetrics();
    variants.record('checkout=on, theme=dark', false, false, 10);
    variants.record('checkout=on, theme=dark', true, false, 30);
    variants.record('checkout=off', false, true, undefined);
    variants.record('theme=dark ,checkout=off', false, false, 20);
    const snapshot = variants.snapshot()!;
    assert.deepEqual(Object.keys(snapshot).sort(), ['checkout=off', 'checkout=on', 'theme=dark']);
    assert.deepEqual(
      Object.fromEntries(
        Object.entries(snapshot).map(([pair, m]) => [
          pair,
          [m.requests, m.status5xx, m.connectionErrors, m.latency.count],
        ]),
      ),
      { 'checkout=on': [2, 1, 0, 2], 'checkout=off': [2, 0, 1, 1], 'theme=dark': [3, 1, 0, 3] },
    );
    const p50 = quantile(snapshot['checkout=off']!.latency, 0.5)!;
    assert.ok(Math.abs(p50 - 20) / 20 < 0.1, `p50 ${p50}`);
  });

  test('a snapshot is a copy', () => {
    const variants = new VariantMetrics();
    variants.record('a=1', false, false, 1);
    const snapshot = variants.snapshot()!;
    variants.record('a=1', false, false, 1);
    assert.equal(snapshot['a=1']?.requests, 1);
    assert.equal(snapshot['a=1']?.latency.count, 1);
  });

  test(`counts at most ${MAX_FLAG_VARIANT_SERIES} distinct pairs`, () => {
    const variants = new VariantMetrics();
    for (let i = 0; i < MAX_FLAG_VARIANT_SERIES + 10; i++) variants.record(`f=${i}`, false, false, 1);
    variants.record('f=0', false, false, 1);
    const snapshot = variants.snapshot()!;
    assert.equal(Object.keys(snapshot).length, MAX_FLAG_VARIANT_SERIES);
    assert.equal(snapshot['f=0']?.requests, 2, 'a pair already counted keeps counting');
    assert.equal(snapshot[`f=${MAX_FLAG_VARIANT_SERIES}`], undefined);
  });
});
