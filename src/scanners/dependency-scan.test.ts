// The pure scan as data: which id a finding is ruled under, how severe it is, and one finding per
// package version and advisory however many paths install it.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { dependencyFingerprint, ruleOf, scanDependencies, severityOf } from './dependency-scan.js';
import type { InstalledPackage } from './installed-package.js';
import { AdvisoryDb } from './osv/advisory-db.js';
import type { OsvAdvisory, OsvAffected } from './osv/osv-advisory.js';

const affected = (extra: Partial<OsvAffected> = {}): OsvAffected => ({
  package: { ecosystem: 'npm', name: 'ms' },
  ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '2.0.1' }] }],
  ...extra,
});
const advisory = (extra: Partial<OsvAdvisory> = {}): OsvAdvisory => ({
  id: 'OSV-1',
  modified: '2024-01-01T00:00:00Z',
  summary: 'slow parsing',
  affected: [affected()],
  ...extra,
});
const installed = (path: string, version = '2.0.0'): InstalledPackage => ({
  ecosystem: 'npm',
  name: 'ms',
  version,
  file: 'package-lock.json',
  path,
  dev: false,
  optional: false,
});

describe('ruleOf', () => {
  test('GHSA first (own id or alias), then CVE, then the own id', () => {
    assert.equal(ruleOf(advisory({ id: 'GHSA-a', aliases: ['CVE-1'] })), 'GHSA-a');
    assert.equal(ruleOf(advisory({ id: 'CVE-1', aliases: ['PYSEC-1', 'GHSA-b'] })), 'GHSA-b');
    assert.equal(ruleOf(advisory({ id: 'DSA-1', aliases: ['CVE-2'] })), 'CVE-2');
    assert.equal(ruleOf(advisory({ id: 'MAL-2024-1' })), 'MAL-2024-1');
  });
});

describe('severityOf', () => {
  const CRITICAL_V3 = { type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' };
  const cases: ReadonlyArray<readonly [string, OsvAdvisory, string]> = [
    [
      'the database word wins over a vector',
      advisory({ database_specific: { severity: 'MODERATE' }, severity: [CRITICAL_V3] }),
      'medium',
    ],
    ['words are case-insensitive', advisory({ database_specific: { severity: 'high' } }), 'high'],
    [
      'an unknown word falls through to the vector',
      advisory({ database_specific: { severity: 'UNKNOWN' }, severity: [CRITICAL_V3] }),
      'critical',
    ],
    [
      'the package vector before the advisory vector',
      advisory({
        severity: [CRITICAL_V3],
        affected: [
          affected({
            severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N' }],
          }),
        ],
      }),
      'medium',
    ],
    [
      'CVSS v4 alone is not scored',
      advisory({
        severity: [
          { type: 'CVSS_V4', score: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N' },
        ],
      }),
      'medium',
    ],
    [
      'a v4 vector next to a v3 one: the v3 score',
      advisory({ severity: [{ type: 'CVSS_V4', score: 'CVSS:4.0/x' }, CRITICAL_V3] }),
      'critical',
    ],
    ['Ubuntu priorities', advisory({ severity: [{ type: 'Ubuntu', score: 'negligible' }] }), 'low'],
    ['nothing: medium', advisory(), 'medium'],
  ];
  for (const [name, adv, expected] of cases) {
    test(name, () => assert.equal(severityOf({ advisory: adv, affected: adv.affected![0]! }), expected));
  }
});

describe('scanDependencies', () => {
  test('one finding per package version and advisory, naming the other paths; unaffected versions none', () => {
    const advisories = AdvisoryDb.of([
      advisory({ id: 'GHSA-x' }),
      advisory({ id: 'OSV-2', aliases: ['GHSA-x'] }),
    ]);
    const findings = scanDependencies({
      packages: [
        installed('node_modules/a/node_modules/ms'),
        installed('node_modules/b/node_modules/ms'),
        installed('node_modules/ms', '2.1.3'),
      ],
      advisories,
      tool: 'slipway-osv',
    });
    assert.deepEqual(findings, [
      {
        tool: 'slipway-osv',
        rule: 'GHSA-x',
        severity: 'medium',
        message:
          'ms@2.0.0 (node_modules/a/node_modules/ms) is affected by GHSA-x: slow parsing (fixed in 2.0.1; also installed at 1 other path)',
        location: { file: 'package-lock.json' },
        fingerprint: dependencyFingerprint({ ecosystem: 'npm', name: 'ms', version: '2.0.0' }, 'GHSA-x'),
        fingerprintSource: 'report',
      },
    ]);
    assert.match(findings[0]!.fingerprint, /^[0-9a-f]{64}$/);
  });
});
