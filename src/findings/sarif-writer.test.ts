import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Finding } from './finding.js';
import { readSarif } from './read-sarif.js';
import { artifactUri, SLIPWAY_FINGERPRINT_KEY, type WritableFinding, writeSarifLog } from './sarif-writer.js';

const EVAL: Finding = {
  tool: 'Semgrep',
  rule: 'js.eval',
  severity: 'critical',
  message: 'eval of user input',
  location: { file: 'src/app.js', line: 7, column: 3 },
  fingerprint: 'aa11',
  fingerprintSource: 'report',
};
const ADVISORY: Finding = {
  tool: 'osv',
  rule: 'GHSA-xxxx-yyyy-zzzz',
  severity: 'medium',
  message: 'lodash@4.17.20: prototype pollution',
  location: { file: 'package lock/package-lock.json' },
  fingerprint: 'npm/lodash@4.17.20/GHSA-xxxx-yyyy-zzzz',
  fingerprintSource: 'report',
};

describe('writeSarifLog', () => {
  it('writes a log the SARIF 2.1.0 schema accepts, which reads back into the same findings', () => {
    const low: Finding = { ...EVAL, severity: 'low', message: 'console.log left in', fingerprint: 'bb22' };
    const log = writeSarifLog([
      { tool: 'Semgrep', findings: [EVAL, low], automationId: 'slipway/sast/' },
      { tool: 'osv', findings: [ADVISORY] },
      { tool: 'ESLint', findings: [] },
    ]);
    const read = readSarif(JSON.parse(JSON.stringify(log)), { file: 'upload.sarif' });
    assert.deepEqual(read, [EVAL, low, ADVISORY]);
    assert.deepEqual(
      log.runs.map((run) => [run.tool.driver.name, run.results.length, run.automationDetails?.id]),
      [
        ['Semgrep', 2, 'slipway/sast/'],
        ['osv', 1, undefined],
        ['ESLint', 0, undefined],
      ],
    );
  });

  it("gives each rule its worst finding's security-severity, as GitHub reads it from the rule", () => {
    const low: Finding = { ...EVAL, severity: 'low', fingerprint: 'bb22' };
    const [run] = writeSarifLog([{ tool: 'Semgrep', findings: [low, EVAL] }]).runs;
    assert.ok(run !== undefined);
    assert.deepEqual(run.tool.driver.rules, [
      {
        id: 'js.eval',
        shortDescription: { text: 'js.eval' },
        defaultConfiguration: { level: 'error' },
        properties: { 'security-severity': '9.5', tags: ['security'] },
      },
    ]);
    assert.deepEqual(
      (run.results as { level: string; partialFingerprints: object }[]).map((r) => [
        r.level,
        r.partialFingerprints,
      ]),
      [
        ['note', { [SLIPWAY_FINGERPRINT_KEY]: 'bb22' }],
        ['error', { [SLIPWAY_FINGERPRINT_KEY]: 'aa11' }],
      ],
    );
  });

  it('marks what a Slipway suppression hides as suppressed, with its reason', () => {
    const hidden: WritableFinding = {
      ...EVAL,
      fingerprint: 'cc33',
      suppression: { rule: 'js.eval', reason: 'input is a constant', author: 'alice' },
    };
    const log = writeSarifLog([{ tool: 'Semgrep', findings: [EVAL, hidden] }]);
    const [, result] = (log.runs[0]?.results ?? []) as { suppressions?: unknown }[];
    assert.deepEqual(result?.suppressions, [
      { kind: 'external', status: 'accepted', justification: 'input is a constant' },
    ]);
    // A SARIF reader leaves an accepted suppression out, as Slipway's gate did.
    assert.deepEqual(readSarif(JSON.parse(JSON.stringify(log)), { file: 'upload.sarif' }), [EVAL]);
  });

  it('writes paths as relative URI references, outside files as file URIs', () => {
    assert.equal(artifactUri('src/my app/a#b.js'), 'src/my%20app/a%23b.js');
    assert.equal(artifactUri('/opt/app/x.js'), 'file:///opt/app/x.js');
    assert.equal(artifactUri('https://example.com/x.js'), 'https://example.com/x.js');
  });
});
