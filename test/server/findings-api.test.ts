// A run's findings through the API of a real server: a job's SARIF report gated in a run the
// server starts, then GET /api/v1/runs/:id/findings with the gate's verdict and the findings.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type Harness, startServer, waitFor } from './helpers/server-harness.js';

const SARIF = JSON.stringify({
  version: '2.1.0',
  runs: [
    {
      tool: {
        driver: {
          name: 'Semgrep',
          rules: [{ id: 'js.eval', properties: { 'security-severity': '9.1' } }, { id: 'js.console' }],
        },
      },
      results: [
        {
          ruleId: 'js.eval',
          ruleIndex: 0,
          message: { text: 'eval of user input' },
          locations: [
            { physicalLocation: { artifactLocation: { uri: 'src/app.js' }, region: { startLine: 7 } } },
          ],
          partialFingerprints: { 'primaryLocationLineHash/v1': 'aa11' },
        },
        {
          ruleId: 'js.console',
          ruleIndex: 1,
          level: 'note',
          message: { text: 'console.log left in' },
          locations: [
            { physicalLocation: { artifactLocation: { uri: 'src/app.js' }, region: { startLine: 9 } } },
          ],
        },
      ],
    },
  ],
});

describe('findings API', { timeout: 60_000 }, () => {
  let h: Harness;
  before(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'slipway-findings-api-'));
    writeFileSync(join(dir, 'report.sarif'), SARIF);
    writeFileSync(
      join(dir, 'slipway.yaml'),
      `version: 1
project: { name: scanned }
jobs:
  sast:
    run: mkdir -p reports && cp report.sarif reports/semgrep.sarif
    findings: { sarif: reports/*.sarif, failOn: critical }
`,
    );
    h = await startServer(dir);
  });
  after(async () => {
    await h?.close();
  });

  test("a run's findings: the critical one counted, the note below the threshold, the gate failed", async () => {
    const started = await h.api('POST', '/api/v1/runs', { token: h.tokens.deployer, body: {} });
    assert.equal(started.status, 202, started.text);
    const runId: number = started.json.runId;
    await waitFor('the run to end', async () => {
      const run = await h.store.getRun(runId);
      return run && run.status !== 'queued' && run.status !== 'running' ? run : undefined;
    });
    assert.equal((await h.store.getRun(runId))?.status, 'failure');
    const found = await h.api('GET', `/api/v1/runs/${runId}/findings`, { token: h.tokens.viewer });
    assert.equal(found.status, 200, found.text);
    assert.deepEqual(found.json.counts, { critical: 1, high: 0, medium: 0, low: 0 });
    assert.deepEqual(
      found.json.findings.map(
        (f: { severity: string; rule: string; status: string; location: { line: number } }) => [
          f.severity,
          f.rule,
          f.status,
          f.location.line,
        ],
      ),
      [
        ['critical', 'js.eval', 'counted', 7],
        ['low', 'js.console', 'below', 9],
      ],
    );
    assert.equal(found.json.gates[0].job, 'sast');
    assert.equal(found.json.gates[0].gate, 'failed');
    const other = await h.api('GET', `/api/v1/runs/${runId}/findings?job=deploy`, { token: h.tokens.viewer });
    assert.deepEqual(other.json.findings, []);
    assert.equal((await h.api('GET', '/api/v1/runs/999/findings', { token: h.tokens.viewer })).status, 404);
    assert.equal((await h.api('GET', `/api/v1/runs/${runId}/findings`)).status, 401);
  });
});
