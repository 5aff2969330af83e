// A job's findings: in a real pipeline run through the CLI: its SARIF report read and gated by
// severity, a malformed report failing the job, suppressions (and an expired one warned about),
// new-only findings against the default branch's last successful run, and `slipway findings`.
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'bin/slipway.js');

interface Result {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** A SARIF log as ESLint's SARIF formatter writes it: one result per [rule, line, severity]. */
function sarif(results: readonly [string, number, 'error' | 'warning' | 'note'][]): string {
  return JSON.stringify({
    version: '2.1.0',
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    runs: [
      {
        tool: {
          driver: {
            name: 'ESLint',
            informationUri: 'https://eslint.org',
            rules: [...new Set(results.map(([rule]) => rule))].map((id) => ({
              id,
              shortDescription: { text: id },
            })),
          },
        },
        results: results.map(([ruleId, line, level]) => ({
          ruleId,
          level,
          message: { text: `${ruleId} at line ${line}` },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: 'src/app.js' },
                region: { startLine: line, startColumn: 5 },
              },
            },
          ],
        })),
      },
    ],
  });
}

const CONFIG = (extra = '') => `version: 1
project: { name: scanned }
jobs:
  sast:
    run: cp next.sarif reports/eslint.sarif
    findings: { sarif: reports/*.sarif, failOn: high, newOnly: true }
pipeline:
  stages:
    - name: security
      parallel: [sast]
${extra}`;

describe('findings gates in a pipeline', () => {
  test('the gate fails on a high finding, passes what is suppressed or in the baseline, and a bad report fails', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'slipway-findings-'));
    const slipway = (...args: string[]): Promise<Result> =>
      new Promise((resolve) => {
        execFile(
          process.execPath,
          [bin, ...args],
          {
            cwd: dir,
            env: { PATH: process.env.PATH, HOME: dir, NO_COLOR: '1', SLIPWAY_ACTOR: 'alice' },
            timeout: 60_000,
          },
          (error, stdout, stderr) =>
            resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
        );
      });
    try {
      mkdirSync(join(dir, 'reports'));
      writeFileSync(join(dir, 'slipway.yaml'), CONFIG());
      execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: dir });
      execFileSync(
        'git',
        ['-c', 'user.email=a@b', '-c', 'user.name=a', 'commit', '-q', '--allow-empty', '-m', 'init'],
        { cwd: dir },
      );

      // Run 1 on main: a medium finding only (below failOn high): passes, and becomes the baseline.
      writeFileSync(join(dir, 'next.sarif'), sarif([['security/detect-object-injection', 3, 'warning']]));
      const first = await slipway('run');
      assert.equal(first.code, 0, first.stdout + first.stderr);

      // Run 2: a new error-level finding (high): fails, naming it.
      writeFileSync(
        join(dir, 'next.sarif'),
        sarif([
          ['security/detect-object-injection', 3, 'warning'],
          ['security/detect-eval-with-expression', 12, 'error'],
        ]),
      );
      const second = await slipway('run');
      assert.equal(second.code, 1);
      assert.match(second.stdout + second.stderr, /security\/detect-eval-with-expression/);
      const report = JSON.parse((await slipway('--json', 'findings', '2')).stdout);
      assert.equal(report.counts.high, 1);
      assert.deepEqual(
        report.findings.map((f: { rule: string; status: string }) => `${f.status} ${f.rule}`),
        ['counted security/detect-eval-with-expression', 'below security/detect-object-injection'],
      );
      assert.equal(report.gates[0].gate, 'failed');
      const human = await slipway('findings', '2');
      assert.match(
        human.stdout,
        /HIGH \(1\)\n {2}counted {4}security\/detect-eval-with-expression {2}src\/app\.js:12:5/,
      );

      // A live suppression lets it pass; an expired one is warned about and suppresses nothing.
      writeFileSync(
        join(dir, 'slipway.yaml'),
        CONFIG(`security:
  suppressions:
    - { rule: security/detect-eval-with-expression, reason: "sandboxed input, see ADR-12", expires: "2099-01-01", author: alice }
    - { rule: security/detect-object-injection, reason: "old decision", expires: "2020-01-01", author: bob }
`),
      );
      const third = await slipway('run');
      assert.equal(third.code, 0, third.stdout + third.stderr);
      assert.match(
        third.stdout + third.stderr,
        /suppression of .*detect-object-injection.* expired on 2020-01-01/,
      );
      const suppressed = JSON.parse((await slipway('--json', 'findings', '3')).stdout);
      assert.deepEqual(suppressed.findings.map((f: { status: string }) => f.status).sort(), [
        'below',
        'suppressed',
      ]);

      // A report that is not SARIF fails the job with a clear message.
      writeFileSync(
        join(dir, 'next.sarif'),
        JSON.stringify({ version: '2.1.0', runs: [{ results: [{ level: 'fatal' }] }] }),
      );
      const bad = await slipway('run');
      assert.equal(bad.code, 1);
      assert.match(bad.stdout + bad.stderr, /findings: reports\/eslint\.sarif: /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
