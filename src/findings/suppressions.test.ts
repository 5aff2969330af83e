// Unit tests of suppressions: what they match, expiry (the day itself still suppresses), the warning
// list, the zod schema of the suppressions file, and the path globs.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Finding } from './finding.js';
import { pathGlob } from './path-glob.js';
import { applySuppressions, type Suppression } from './suppressions.js';
import { suppressionSchema, suppressionsFileSchema } from './suppressions-schema.js';

const finding = (rule: string, file: string, fingerprint = `${rule}@${file}`): Finding => ({
  tool: 'Semgrep OSS',
  rule,
  severity: 'high',
  message: `${rule} in ${file}`,
  location: { file, line: 1 },
  fingerprint,
  fingerprintSource: 'report',
});

const sql = finding('sql-injection', 'api/orders.py');
const sqlLegacy = finding('sql-injection', 'legacy/report.py');
const secret = finding('hardcoded-secret', 'api/auth.py', 'fp-secret');
const all = [sql, sqlLegacy, secret];

const suppression = (fields: Partial<Suppression>): Suppression => ({
  reason: 'false positive',
  expires: '2025-06-30',
  author: 'ana@example.com',
  ...fields,
});

describe('applySuppressions', () => {
  test('by rule, by fingerprint, narrowed by path', () => {
    const byRule = suppression({ rule: 'sql-injection', path: 'legacy/**' });
    const byFingerprint = suppression({ fingerprint: 'fp-secret' });
    const outcome = applySuppressions(all, [byRule, byFingerprint], '2025-06-01');
    assert.deepEqual(outcome.kept, [sql]);
    assert.deepEqual(outcome.suppressed, [
      { finding: sqlLegacy, suppression: byRule },
      { finding: secret, suppression: byFingerprint },
    ]);
    assert.deepEqual(outcome.expired, []);
  });

  test('rule and fingerprint together must both match', () => {
    const both = suppression({ rule: 'sql-injection', fingerprint: 'fp-secret' });
    assert.deepEqual(applySuppressions(all, [both], '2025-06-01').kept, all);
  });

  test('suppresses through its expiry day, then stops and is reported once', () => {
    const s = suppression({ rule: 'sql-injection' });
    assert.equal(applySuppressions(all, [s], '2025-06-30').suppressed.length, 2);
    const after = applySuppressions(all, [s], '2025-07-01');
    assert.deepEqual(after.kept, all);
    assert.deepEqual(after.suppressed, []);
    assert.deepEqual(after.expired, [s]);
  });

  test('an expired suppression that matches nothing is not reported; a live one still applies', () => {
    const stale = suppression({ rule: 'no-such-rule', expires: '2020-01-01' });
    const expired = suppression({ fingerprint: 'fp-secret', expires: '2025-01-01' });
    const live = suppression({ rule: 'hardcoded-secret', expires: '2026-01-01' });
    const outcome = applySuppressions(all, [stale, expired, live], '2025-06-01');
    assert.deepEqual(outcome.suppressed, [{ finding: secret, suppression: live }]);
    assert.deepEqual(outcome.expired, [expired]);
  });

  test('a path suppression does not match a finding without a location', () => {
    const { location: _, ...noLocation } = sql;
    assert.deepEqual(
      applySuppressions([noLocation], [suppression({ rule: 'sql-injection', path: '**' })], '2025-06-01')
        .kept,
      [noLocation],
    );
  });
});

describe('suppressionsFileSchema', () => {
  test('parses a file', () => {
    const parsed = suppressionsFileSchema.parse({
      suppressions: [
        {
          rule: 'GHSA-35jh-r3h4-6jhm',
          reason: 'template() is never called',
          expires: '2025-09-30',
          author: 'ana',
        },
        {
          fingerprint: '8f6e3cd1a0b29e47:1',
          path: 'api/**',
          reason: 'parameterized upstream',
          expires: '2025-12-31',
          author: 'bo',
        },
      ],
    });
    assert.equal(parsed.suppressions.length, 2);
    assert.deepEqual(suppressionsFileSchema.parse({}), { suppressions: [] });
  });

  test('refuses a suppression without rule or fingerprint, a bad date, an empty reason, an unknown key', () => {
    const issues = (value: unknown) =>
      suppressionSchema.safeParse(value).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    const ok = { rule: 'r', reason: 'why', expires: '2025-02-28', author: 'me' };
    assert.equal(issues(ok), undefined);
    assert.deepEqual(issues({ ...ok, rule: undefined }), [': a suppression needs a rule or a fingerprint']);
    assert.deepEqual(issues({ ...ok, expires: '2025-02-30' }), ['expires: must be a real calendar date']);
    assert.deepEqual(issues({ ...ok, expires: '30/06/2025' }), ['expires: must be a date YYYY-MM-DD']);
    assert.deepEqual(issues({ ...ok, reason: '  ' }), [
      'reason: Too small: expected string to have >=1 characters',
    ]);
    assert.deepEqual(issues({ ...ok, owner: 'x' }), [': Unrecognized key: "owner"']);
  });

  test('every field is described', () => {
    const shape = suppressionSchema.shape;
    for (const [key, field] of Object.entries(shape))
      assert.ok(field.description, `${key} has no description`);
    assert.ok(suppressionSchema.description);
    assert.ok(suppressionsFileSchema.shape.suppressions.description);
  });
});

test('pathGlob', () => {
  const cases: [string, string, boolean][] = [
    ['legacy/**', 'legacy/a/b.py', true],
    ['legacy/**', 'legacy', false],
    ['legacy/**', 'src/legacy/a.py', false],
    ['**/*.test.ts', 'a.test.ts', true],
    ['**/*.test.ts', 'src/x/a.test.ts', true],
    ['src/*.ts', 'src/a.ts', true],
    ['src/*.ts', 'src/x/a.ts', false],
    ['src/**/gen/*.{js,ts}', 'src/gen/a.ts', true],
    ['src/**/gen/*.{js,ts}', 'src/a/b/gen/a.js', true],
    ['src/**/gen/*.{js,ts}', 'src/gen/a.py', false],
    ['file?.c', 'file1.c', true],
    ['a+b(c).py', 'a+b(c).py', true],
    ['a.py', 'axpy', false],
  ];
  for (const [glob, path, expected] of cases)
    assert.equal(pathGlob(glob)(path), expected, `${glob} ~ ${path}`);
});
