// Unit tests of reading osv-scanner's JSON output: groups of aliased records, the preferred id,
// severities from the database or the CVSS score, and output that is not shaped like osv-scanner's.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { FindingsError } from './errors.js';
import { preferredId, readOsv } from './read-osv.js';

const fixture = (name: string): unknown =>
  JSON.parse(
    readFileSync(fileURLToPath(new URL(`../../test/fixtures/findings/${name}`, import.meta.url)), 'utf8'),
  );

const options = { file: 'reports/osv.json', projectRoot: '/home/ci/work/shop' };

describe('readOsv', () => {
  test('one finding per package and group, located at the lockfile', () => {
    assert.deepEqual(readOsv(fixture('osv-scanner.json'), options), [
      {
        tool: 'osv',
        rule: 'GHSA-35jh-r3h4-6jhm',
        severity: 'high',
        message: 'lodash@4.17.20: Command Injection in lodash',
        location: { file: 'package-lock.json' },
        fingerprint: 'npm/lodash@4.17.20/GHSA-35jh-r3h4-6jhm',
        fingerprintSource: 'report',
      },
      {
        // The Go advisory and the GHSA of one CVE are one finding, known by its GHSA id; no database
        // severity, so the group's CVSS score (8.6) says high.
        tool: 'osv',
        rule: 'GHSA-c3h9-896r-86jm',
        severity: 'high',
        message: 'github.com/gogo/protobuf@1.3.1: Improper Input Validation in GoGo Protobuf',
        location: { file: 'go.mod' },
        fingerprint: 'Go/github.com/gogo/protobuf@1.3.1/GHSA-c3h9-896r-86jm',
        fingerprintSource: 'report',
      },
      {
        // No GHSA: the CVE; no severity at all: medium.
        tool: 'osv',
        rule: 'CVE-2023-45288',
        severity: 'medium',
        message: 'golang.org/x/net@0.17.0: HTTP/2 CONTINUATION flood in net/http',
        location: { file: 'go.mod' },
        fingerprint: 'Go/golang.org/x/net@0.17.0/CVE-2023-45288',
        fingerprintSource: 'report',
      },
    ]);
  });

  test('without groups, each record is its own; the worst database severity wins', () => {
    const doc = {
      results: [
        {
          source: { path: 'requirements.txt', type: 'lockfile' },
          packages: [
            {
              package: { name: 'django', version: '3.2.0', ecosystem: 'PyPI' },
              vulnerabilities: [
                {
                  id: 'PYSEC-2021-98',
                  aliases: ['CVE-2021-33203'],
                  database_specific: { severity: 'MODERATE' },
                },
                { id: 'PYSEC-2022-1', severity: [{ type: 'CVSS_V3', score: '9.8' }] },
              ],
            },
          ],
        },
      ],
    };
    assert.deepEqual(
      readOsv(doc, options).map((f) => [f.rule, f.severity, f.message, f.location?.file]),
      [
        ['CVE-2021-33203', 'medium', 'django@3.2.0 is affected by CVE-2021-33203', 'requirements.txt'],
        ['PYSEC-2022-1', 'critical', 'django@3.2.0 is affected by PYSEC-2022-1', 'requirements.txt'],
      ],
    );
  });

  test('no results: no findings', () => {
    assert.deepEqual(readOsv({ results: [] }, options), []);
    assert.deepEqual(readOsv({ results: null }, options), []);
  });

  test('output not shaped like osv-scanner is FINDINGS_REPORT_INVALID with the path', () => {
    assert.throws(
      () =>
        readOsv({ results: [{ packages: [{ package: { name: 'x' }, vulnerabilities: [{}] }] }] }, options),
      (error: unknown) => {
        assert.ok(error instanceof FindingsError);
        assert.equal(error.code, 'FINDINGS_REPORT_INVALID');
        assert.equal(
          error.message,
          'reports/osv.json: not valid osv-scanner JSON output: results[0].packages[0].package.ecosystem: Invalid input: expected string, received undefined; results[0].packages[0].vulnerabilities[0].id: Invalid input: expected string, received undefined',
        );
        return true;
      },
    );
  });
});

test('preferredId: GHSA, then CVE, then the first id', () => {
  assert.equal(preferredId(['GO-1'], new Set(['GO-1', 'CVE-2', 'GHSA-b', 'GHSA-a'])), 'GHSA-a');
  assert.equal(preferredId(['GO-1'], new Set(['GO-1', 'CVE-2'])), 'CVE-2');
  assert.equal(preferredId(['RUSTSEC-1'], new Set(['RUSTSEC-1'])), 'RUSTSEC-1');
});
