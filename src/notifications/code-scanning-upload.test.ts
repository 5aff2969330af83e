import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import type { Finding } from '../findings/finding.js';
import { readSarif } from '../findings/read-sarif.js';
import {
  CODE_SCANNING_LIMITS,
  codeScanningSarif,
  encodeSarif,
  uploadToolName,
} from './code-scanning-upload.js';
import { NotificationError } from './errors.js';

const finding = (tool: string, severity: Finding['severity'], n: number): Finding => ({
  tool,
  rule: `rule-${severity}`,
  severity,
  message: `finding ${n}`,
  location: { file: 'src/app.js', line: n + 1 },
  fingerprint: `${tool}-${n}`,
  fingerprintSource: 'location',
});

describe('codeScanningSarif', () => {
  it("makes one run per tool under the job's category, a clean tool included so its alerts close", () => {
    const log = codeScanningSarif([finding('Semgrep', 'high', 1)], {
      run: 3,
      job: 'sast',
      branch: 'main',
      tools: ['ESLint', 'Semgrep'],
    });
    assert.deepEqual(
      log.runs.map((run) => [run.tool.driver.name, run.automationDetails?.id, run.results.length]),
      [
        ['ESLint', 'slipway/sast/', 0],
        ['Semgrep', 'slipway/sast/', 1],
      ],
    );
    assert.equal(uploadToolName(log), 'Slipway');
    const one = codeScanningSarif([], { run: 3, job: 'deps', tools: ['osv'] });
    assert.equal(uploadToolName(one), 'osv');
  });

  it('sends the most severe results of a run when there are more than GitHub takes', () => {
    const many = Array.from({ length: CODE_SCANNING_LIMITS.resultsPerRun }, (_, n) => finding('x', 'low', n));
    const log = codeScanningSarif([...many, finding('x', 'critical', -1)], {
      run: 1,
      job: 'j',
      tools: ['x'],
    });
    const results = log.runs[0]?.results as { ruleId: string }[];
    assert.equal(results.length, CODE_SCANNING_LIMITS.resultsPerRun);
    assert.equal(results[0]?.ruleId, 'rule-critical');
  });

  it('refuses, for good, more tools than one upload may hold', () => {
    const tools = Array.from({ length: CODE_SCANNING_LIMITS.runs + 1 }, (_, n) => `tool-${n}`);
    assert.throws(
      () => codeScanningSarif([], { run: 1, job: 'j', tools }),
      (error: unknown) => error instanceof NotificationError && error.code === 'REJECTED' && !error.retryable,
    );
  });
});

describe('encodeSarif', () => {
  it('gzips, then base64-encodes, a log that decodes back to valid SARIF', () => {
    const log = codeScanningSarif([finding('Semgrep', 'medium', 4)], { run: 1, job: 'sast', tools: [] });
    const decoded = JSON.parse(gunzipSync(Buffer.from(encodeSarif(log), 'base64')).toString('utf8'));
    assert.deepEqual(decoded, log);
    assert.equal(readSarif(decoded, { file: 'upload.sarif' }).length, 1);
  });
});
