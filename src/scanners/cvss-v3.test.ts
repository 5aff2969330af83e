// CVSS v3 base scores of vectors whose scores FIRST's and NVD's calculators publish.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { severityOfScore } from '../findings/finding.js';
import { cvssV3BaseScore } from './cvss-v3.js';

const KNOWN: Readonly<Record<string, number>> = {
  'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H': 9.8,
  'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H': 10.0,
  'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H': 7.5,
  'CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N': 6.1,
  'CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:C/C:L/I:L/A:N': 5.4,
  'CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H': 7.8,
  'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N': 5.3,
  'CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H': 8.8,
  'CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:C/C:H/I:N/A:N': 6.8,
  'CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H': 9.8,
  'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N': 0,
  'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:P/RL:O/RC:C': 9.8,
};

test('base scores of known vectors (temporal metrics ignored)', () => {
  for (const [vector, score] of Object.entries(KNOWN)) assert.equal(cvssV3BaseScore(vector), score, vector);
});

test('what is no CVSS v3 vector has no score', () => {
  for (const vector of [
    'AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
    'CVSS:4.0/AV:N/AC:L/AT:N/PR:H/UI:N/VC:L/VI:L/VA:N/SC:N/SI:N/SA:N',
    'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H',
    'CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
    'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/A:L',
  ]) {
    assert.equal(cvssV3BaseScore(vector), undefined, vector);
  }
});

test('qualitative ratings', () => {
  assert.deepEqual([0, 3.9, 4, 6.9, 7, 8.9, 9, 10].map(severityOfScore), [
    'low',
    'low',
    'medium',
    'medium',
    'high',
    'high',
    'critical',
    'critical',
  ]);
});
