// Unit tests of reading `npm audit --json` (npm 7+): one finding per advisory, GHSA ids from URLs.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { FindingsError } from './errors.js';
import { readNpmAudit } from './read-npm-audit.js';

const fixture = (name: string): unknown =>
  JSON.parse(
    readFileSync(fileURLToPath(new URL(`../../test/fixtures/findings/${name}`, import.meta.url)), 'utf8'),
  );

describe('readNpmAudit', () => {
  test('each advisory object in `via` is a finding; a package name in `via` is not', () => {
    const findings = readNpmAudit(fixture('npm-audit.json'), { file: 'reports/npm-audit.json' });
    assert.deepEqual(
      findings.map((f) => [f.rule, f.severity, f.fingerprint]),
      [
        ['GHSA-rv95-896h-c2vc', 'medium', 'npm/express@<4.19.2/GHSA-rv95-896h-c2vc'],
        ['GHSA-qwcr-r2fm-qrc7', 'high', 'npm/body-parser@<1.20.3/GHSA-qwcr-r2fm-qrc7'],
        ['GHSA-xvch-5gv4-984h', 'critical', 'npm/minimist@<0.2.4/GHSA-xvch-5gv4-984h'],
        ['1096801', 'low', 'npm/minimist@<0.2.1/1096801'],
      ],
    );
    assert.deepEqual(findings[0], {
      tool: 'npm audit',
      rule: 'GHSA-rv95-896h-c2vc',
      severity: 'medium',
      message:
        'express <4.19.2: Express.js Open Redirect in malformed URLs; fix available by updating express to 4.21.2',
      location: { file: 'package-lock.json' },
      fingerprint: 'npm/express@<4.19.2/GHSA-rv95-896h-c2vc',
      fingerprintSource: 'report',
    });
    assert.equal(findings[2]?.message, 'minimist <0.2.4: Prototype Pollution in minimist; no fix available');
  });

  test('a clean audit has no findings', () => {
    assert.deepEqual(
      readNpmAudit({ auditReportVersion: 2, vulnerabilities: {}, metadata: {} }, { file: 'a.json' }),
      [],
    );
  });

  test('a bad severity is FINDINGS_REPORT_INVALID with the path', () => {
    const doc = {
      auditReportVersion: 2,
      vulnerabilities: { qs: { name: 'qs', severity: 'severe', via: [], range: '*' } },
    };
    assert.throws(
      () => readNpmAudit(doc, { file: 'reports/npm-audit.json' }),
      (error: unknown) =>
        error instanceof FindingsError &&
        error.message ===
          'reports/npm-audit.json: not valid npm audit JSON (npm 7+): vulnerabilities.qs.severity: Invalid option: expected one of "critical"|"high"|"moderate"|"low"|"info"',
    );
  });
});
