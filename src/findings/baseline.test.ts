// Unit tests of newSince: matching by report fingerprint, the location fallback (rule, file and
// message, not the line), and counting (each baseline finding accounts for one current finding).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { newSince } from './baseline.js';
import type { Finding } from './finding.js';

const reported = (fingerprint: string, fields: Partial<Finding> = {}): Finding => ({
  tool: 'CodeQL',
  rule: 'js/sql-injection',
  severity: 'high',
  message: 'This query string depends on a user-provided value.',
  location: { file: 'src/db.ts', line: 10 },
  fingerprint,
  fingerprintSource: 'report',
  ...fields,
});

const located = (line: number, fields: Partial<Finding> = {}): Finding => ({
  tool: 'ESLint',
  rule: 'no-eval',
  severity: 'high',
  message: 'eval can be harmful.',
  location: { file: 'src/cart.js', line },
  fingerprint: `hash-of-line-${line}`,
  fingerprintSource: 'location',
  ...fields,
});

describe('newSince by report fingerprint', () => {
  test('the same fingerprint is the same finding, wherever it moved', () => {
    const before = reported('fp1');
    const moved = reported('fp1', { location: { file: 'src/db/orders.ts', line: 90 }, message: 'reworded' });
    assert.deepEqual(newSince([moved], [before]), []);
  });

  test('another fingerprint at the same place is new: two results of one rule in one file', () => {
    assert.deepEqual(newSince([reported('fp1'), reported('fp2')], [reported('fp1')]), [reported('fp2')]);
  });

  test('fingerprints are per tool', () => {
    const other = reported('fp1', { tool: 'Semgrep OSS' });
    assert.deepEqual(newSince([other], [reported('fp1')]), [other]);
  });

  test('a fingerprint seen twice now and once before: one is new', () => {
    assert.deepEqual(newSince([reported('fp1'), reported('fp1')], [reported('fp1')]), [reported('fp1')]);
    assert.deepEqual(newSince([reported('fp1'), reported('fp1')], [reported('fp1'), reported('fp1')]), []);
  });
});

describe('newSince by location', () => {
  test('without fingerprints, a line shift is not a new finding', () => {
    assert.deepEqual(newSince([located(14)], [located(12)]), []);
  });

  test('another message, rule or file is', () => {
    const cases = [
      located(12, { message: 'eval of user input.' }),
      located(12, { rule: 'no-implied-eval' }),
      located(12, { location: { file: 'src/checkout.js', line: 12 } }),
    ];
    assert.deepEqual(newSince(cases, [located(12)]), cases);
  });

  test('a second copy of a known problem in the same file is new', () => {
    assert.deepEqual(newSince([located(12), located(40)], [located(12)]), [located(40)]);
  });

  test('falls back when either side lacks a report fingerprint', () => {
    // The tool started writing fingerprints since the baseline...
    const now = located(14, { fingerprint: 'fp-new', fingerprintSource: 'report' });
    assert.deepEqual(newSince([now], [located(12)]), []);
    // ...or stopped.
    const before = located(12, { fingerprint: 'fp-old', fingerprintSource: 'report' });
    assert.deepEqual(newSince([located(14)], [before]), []);
  });

  test('a baseline finding claimed by its fingerprint is not matched again by location', () => {
    const before = reported('fp1');
    const same = reported('fp1');
    const copy = { ...reported('ignored'), fingerprint: 'h', fingerprintSource: 'location' as const };
    assert.deepEqual(newSince([same, copy], [before]), [copy]);
  });

  test('a finding without a location matches on an empty file', () => {
    const { location: _, ...noLocation } = located(1);
    assert.deepEqual(newSince([noLocation], [noLocation]), []);
  });
});

test('newSince keeps order and scales linearly', () => {
  const baseline = Array.from({ length: 100_000 }, (_, i) => reported(`fp${i}`));
  const current = Array.from({ length: 100_000 }, (_, i) => reported(`fp${i + 500}`));
  const start = performance.now();
  const fresh = newSince(current, baseline);
  const ms = performance.now() - start;
  assert.deepEqual(
    fresh.map((f) => f.fingerprint),
    Array.from({ length: 500 }, (_, i) => `fp${i + 100_000}`),
  );
  assert.ok(ms < 2_000, `took ${ms} ms`);
});
