// Unit tests of reading one report of any supported format: detection, a declared format, and the
// messages of files that are not reports.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { FindingsError } from './errors.js';
import { detectFormat, readReport, readReportFile } from './read-report.js';

const DIR = fileURLToPath(new URL('../../test/fixtures/findings/', import.meta.url));
const text = (name: string) => readFileSync(join(DIR, name), 'utf8');
const invalid =
  (message: string | RegExp, code = 'FINDINGS_REPORT_INVALID') =>
  (error: unknown) => {
    assert.ok(error instanceof FindingsError);
    assert.equal(error.code, code);
    if (typeof message === 'string') assert.equal(error.message, message);
    else assert.match(error.message, message);
    return true;
  };

describe('readReport', () => {
  test('tells the format from the content', () => {
    const read = (name: string) => readReport(text(name), { file: name, projectRoot: '/home/ci/work/shop' });
    assert.deepEqual(
      ['eslint.sarif', 'semgrep.sarif', 'osv-scanner.json', 'npm-audit.json'].map((n) => {
        const r = read(n);
        return [r.file, r.format, r.findings.length];
      }),
      [
        ['eslint.sarif', 'sarif', 2],
        ['semgrep.sarif', 'sarif', 3],
        ['osv-scanner.json', 'osv', 3],
        ['npm-audit.json', 'npm-audit', 4],
      ],
    );
  });

  test('a malformed SARIF log fails with the file and the JSON path', () => {
    assert.throws(
      () => readReport(text('bad-level.sarif'), { file: 'reports/eslint.sarif' }),
      invalid(
        'reports/eslint.sarif: runs[0].results[2].level: must be equal to one of the allowed values: "none", "note", "warning", "error"',
      ),
    );
    assert.throws(
      () => readReport(text('missing-runs.sarif'), { file: 'reports/eslint.sarif' }),
      invalid("reports/eslint.sarif: must have required property 'runs'"),
    );
    assert.throws(
      () => readReport(JSON.stringify({ version: '2.0.0', runs: [] }), { file: 'old.sarif' }),
      invalid('old.sarif: version: must be equal to one of the allowed values: "2.1.0"'),
    );
  });

  test('not JSON, empty, or no report at all', () => {
    assert.throws(
      () => readReport(text('not-json.sarif'), { file: 'reports/eslint.sarif' }),
      invalid(/^reports\/eslint\.sarif: not JSON \(.+\)$/),
    );
    assert.throws(() => readReport(' \n', { file: 'r.sarif' }), invalid('r.sarif: the report is empty'));
    assert.throws(
      () => readReport('{"errors": []}', { file: 'r.json' }),
      invalid(
        'r.json: not a SARIF 2.1.0 log, osv-scanner JSON or npm audit JSON: it is an object with none of `runs`, `auditReportVersion` or `results`',
      ),
    );
    assert.throws(
      () => readReport('[1, 2]', { file: 'r.json', format: 'sarif' }),
      invalid('r.json: not a SARIF 2.1.0 log: it is a JSON array'),
    );
  });

  test('an OSV advisory is not a report of this project', () => {
    assert.throws(
      () => readReport(text('osv-advisory.json'), { file: 'osv.json', format: 'osv' }),
      invalid(
        'osv.json: not osv-scanner JSON output: it is OSV vulnerability records, which say what is vulnerable, not what this project uses; use osv-scanner --format json',
      ),
    );
  });

  test('npm 6 audit output is named as such', () => {
    assert.throws(
      () => readReport('{"actions": [], "advisories": {}, "metadata": {}}', { file: 'audit.json' }),
      invalid(
        /^audit\.json: .*npm audit JSON of npm 6 \(no auditReportVersion\); run npm audit with npm 7 or later$/,
      ),
    );
  });

  test('a declared format must match', () => {
    assert.throws(
      () => readReport(text('npm-audit.json'), { file: 'reports/audit.sarif', format: 'sarif' }),
      invalid('reports/audit.sarif: declared as a SARIF 2.1.0 log but it is npm audit JSON'),
    );
  });

  test('a byte order mark is skipped', () => {
    assert.equal(readReport(`\ufeff${text('eslint.sarif')}`, { file: 'e.sarif' }).findings.length, 2);
  });
});

test('detectFormat', () => {
  assert.equal(detectFormat({ version: '2.1.0', runs: [] }), 'sarif');
  assert.equal(detectFormat({ $schema: 'https://json.schemastore.org/sarif-2.1.0.json' }), 'sarif');
  assert.equal(detectFormat({ auditReportVersion: 2 }), 'npm-audit');
  assert.equal(detectFormat({ results: [] }), 'osv');
  assert.deepEqual(detectFormat(null), { reason: 'JSON null' });
  assert.deepEqual(detectFormat('x'), { reason: 'a JSON string' });
});

describe('readReportFile', () => {
  test('reads a file', async () => {
    const report = await readReportFile(join(DIR, 'semgrep.sarif'), { file: 'reports/semgrep.sarif' });
    assert.equal(report.file, 'reports/semgrep.sarif');
    assert.equal(report.findings.length, 3);
  });

  test('a missing file is FINDINGS_REPORT_UNREADABLE', async () => {
    await assert.rejects(
      readReportFile(join(DIR, 'absent.sarif'), { file: 'reports/absent.sarif' }),
      invalid('reports/absent.sarif: cannot read the report (no such file)', 'FINDINGS_REPORT_UNREADABLE'),
    );
  });
});
