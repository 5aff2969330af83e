import assert from 'node:assert/strict';
import { test } from 'node:test';
import { csvField, evidenceCsv } from './evidence-csv.js';

test('fields are quoted when they hold a comma, a quote or a line break; rows end with CRLF', () => {
  assert.equal(csvField('plain'), 'plain');
  assert.equal(csvField('a, b'), '"a, b"');
  assert.equal(csvField('say "hi"'), '"say ""hi"""');
  assert.equal(csvField('two\nlines'), '"two\nlines"');
  const csv = evidenceCsv([
    {
      at: '2026-12-06T10:00:00.000Z',
      type: 'deployed',
      service: 'shop',
      environment: 'production',
      revision: null,
      commit: 'abc123',
      branch: 'main',
      deployedBy: 'alice',
      run: 7,
      trigger: 'cli',
      approvals: [
        { by: 'bob', at: '2026-12-06T09:59:00.000Z', decision: 'approved', comment: 'ok, ship it' },
      ],
      checksPassed: ['test', 'sast'],
      checksFailed: [],
      findings: [{ job: 'sast', gate: 'passed', counted: 0 }],
      policies: ["branch 'main' is allowed", "stage 'test' passed in this run"],
      infrastructure: [],
    },
  ]);
  const [header, row, end] = csv.split('\r\n');
  assert.equal(
    header,
    'time,type,service,environment,revision,commit,branch,deployed_by,run,trigger,approvals,checks_passed,checks_failed,findings,policies,infrastructure',
  );
  assert.equal(
    row,
    "2026-12-06T10:00:00.000Z,deployed,shop,production,,abc123,main,alice,7,cli,\"approved by bob at 2026-12-06T09:59:00.000Z (ok, ship it)\",test; sast,,sast: passed (0 counted),branch 'main' is allowed; stage 'test' passed in this run,",
  );
  assert.equal(end, '');
});
