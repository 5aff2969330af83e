// Unit tests of gateFindings: thresholds, suppressions, the baseline, and what it says about them.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Finding, Severity } from './finding.js';
import { atOrAbove, countBySeverity, type GateOptions, gateFindings } from './gate.js';

const finding = (severity: Severity, n: number): Finding => ({
  tool: 'Semgrep OSS',
  rule: `rule-${severity}`,
  severity,
  message: `a ${severity} problem #${n}`,
  location: { file: `src/f${n}.py`, line: n },
  fingerprint: `fp-${severity}-${n}`,
  fingerprintSource: 'report',
});

const critical = finding('critical', 1);
const high = finding('high', 2);
const medium = finding('medium', 3);
const low = finding('low', 4);
const all = [critical, high, medium, low];

const options = (fields: Partial<GateOptions> = {}): GateOptions => ({
  failOn: 'high',
  newOnly: false,
  suppressions: [],
  today: '2025-06-01',
  ...fields,
});

describe('gateFindings', () => {
  test('counts findings at or above failOn', () => {
    const result = gateFindings(all, options());
    assert.equal(result.status, 'failed');
    assert.deepEqual(result.counted, [critical, high]);
    assert.deepEqual(result.counts, { critical: 1, high: 1, medium: 0, low: 0 });
    assert.deepEqual(result.totals, { critical: 1, high: 1, medium: 1, low: 1 });
    assert.equal(
      result.message,
      'findings failed: 2 findings at or above high (1 critical, 1 high; 4 findings in all)',
    );
    assert.deepEqual(result.warnings, []);
  });

  test('each threshold', () => {
    const counted = (failOn: GateOptions['failOn']) => gateFindings(all, options({ failOn })).counted.length;
    assert.deepEqual((['critical', 'high', 'medium', 'low', 'none'] as const).map(counted), [1, 2, 3, 4, 0]);
  });

  test('failOn none never fails', () => {
    const result = gateFindings(all, options({ failOn: 'none' }));
    assert.equal(result.status, 'passed');
    assert.equal(result.message, 'findings not gated (failOn: none): 4 findings in all');
  });

  test('passes when nothing reaches the threshold', () => {
    const result = gateFindings([medium, low], options());
    assert.equal(result.status, 'passed');
    assert.equal(result.message, 'findings passed: no findings at or above high (2 findings in all)');
  });

  test('suppressed findings do not count; an expired suppression is warned about and does not suppress', () => {
    const live = { rule: 'rule-critical', reason: 'not reachable', expires: '2025-12-31', author: 'ana' };
    const expired = { fingerprint: 'fp-high-2', reason: 'fix planned', expires: '2025-05-31', author: 'bo' };
    const result = gateFindings(all, options({ suppressions: [live, expired] }));
    assert.deepEqual(result.counted, [high]);
    assert.deepEqual(result.suppressed, [{ finding: critical, suppression: live }]);
    assert.deepEqual(result.expired, [expired]);
    assert.deepEqual(result.warnings, [
      'suppression of fingerprint fp-high-2 expired on 2025-05-31 (bo: fix planned); its findings count again',
    ]);
    assert.equal(
      result.message,
      'findings failed: 1 finding at or above high (1 high; 4 findings in all, 1 suppressed)',
    );
  });

  test('newOnly counts only findings not in the baseline', () => {
    const result = gateFindings(all, options({ newOnly: true, baseline: [critical, medium] }));
    assert.deepEqual(result.counted, [high]);
    assert.equal(result.inBaseline, 1);
    assert.equal(
      result.message,
      'findings failed: 1 new finding at or above high (1 high; 4 findings in all, 1 at or above high already in the baseline)',
    );
    const known = gateFindings([critical], options({ newOnly: true, baseline: [critical] }));
    assert.equal(known.status, 'passed');
    assert.equal(
      known.message,
      'findings passed: no new findings at or above high (1 finding in all, 1 at or above high already in the baseline)',
    );
  });

  test('newOnly without a baseline counts everything, and says so', () => {
    const result = gateFindings(all, options({ newOnly: true }));
    assert.deepEqual(result.counted, [critical, high]);
    assert.deepEqual(result.warnings, [
      'newOnly: no baseline yet (no successful run of the default branch), so every finding counts',
    ]);
  });

  test('no findings pass', () => {
    const result = gateFindings([], options({ failOn: 'low' }));
    assert.equal(result.status, 'passed');
    assert.equal(result.message, 'findings passed: no findings at or above low (0 findings in all)');
  });
});

test('atOrAbove and countBySeverity', () => {
  assert.equal(atOrAbove('critical', 'high'), true);
  assert.equal(atOrAbove('medium', 'high'), false);
  assert.equal(atOrAbove('critical', 'none'), false);
  assert.deepEqual(countBySeverity([high, high, low]), { critical: 0, high: 2, medium: 0, low: 1 });
});
