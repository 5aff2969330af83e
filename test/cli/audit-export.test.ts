// `slipway audit export` over a real pipeline run: a security check, a gated production deploy
// approved from another terminal, and the evidence as JSON and CSV.
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'bin/slipway.js');

test('the export lists the deploy with its commit, both approvers, the checks and the policies that passed', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-audit-'));
  const env = { PATH: process.env.PATH, HOME: dir, NO_COLOR: '1', SLIPWAY_ACTOR: 'alice' };
  const slipway = (args: string[], actor = 'alice') =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        [bin, ...args],
        { cwd: dir, env: { ...env, SLIPWAY_ACTOR: actor }, timeout: 60_000 },
        (e, stdout, stderr) =>
          resolve({ code: e ? ((e as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });
  try {
    writeFileSync(
      join(dir, 'slipway.yaml'),
      `version: 1
project: { name: shop }
jobs:
  unit_tests: { run: echo tested }
  dependency_scan: { run: echo scanned }
pipeline:
  stages:
    - name: test
      parallel: [unit_tests, dependency_scan]
    - name: deploy
      environments:
        - production: { approval: manual_approval, run: echo deployed }
environments:
  production:
    protection:
      requiredStages: [test]
      branches: [main]
      approvers: { required: 2, excludeStarter: true }
`,
    );
    execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: dir });
    execFileSync('git', ['-c', 'user.email=a@b', '-c', 'user.name=a', 'add', '.'], { cwd: dir });
    execFileSync('git', ['-c', 'user.email=a@b', '-c', 'user.name=a', 'commit', '-q', '-m', 'init'], {
      cwd: dir,
    });
    const sha = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: dir, encoding: 'utf8' }).trim();
    const child = spawn(process.execPath, [bin, 'run'], { cwd: dir, env });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise<number>((r) => child.on('exit', (code) => r(code ?? 1)));
    const deadline = Date.now() + 30_000;
    while (!out.includes('waiting for approval of production') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    const own = await slipway(['approve', '1', 'production']);
    assert.equal(own.code, 2, 'the starter may not approve');
    const approved = await slipway(
      ['approve', '1', 'production', '--comment', 'change CHG-9, reviewed'],
      'bob',
    );
    assert.equal(approved.code, 0, approved.stderr);
    const second = await slipway(['approve', '1', 'production'], 'carol');
    assert.equal(second.code, 0, second.stderr);
    assert.equal(await exited, 0, out);

    const json = await slipway(['audit', 'export', '--since', '2000-01-01']);
    assert.equal(json.code, 0, json.stderr);
    const [row, ...rest] = JSON.parse(json.stdout);
    assert.equal(rest.length, 0);
    assert.equal(row.type, 'deployed');
    assert.equal(row.environment, 'production');
    assert.equal(row.commit, sha);
    assert.equal(row.branch, 'main');
    assert.equal(row.deployedBy, 'alice');
    assert.equal(row.run, 1);
    assert.deepEqual(
      row.approvals.map((a: { by: string; decision: string; comment: string }) => [
        a.by,
        a.decision,
        a.comment,
      ]),
      [
        ['bob', 'approved', 'change CHG-9, reviewed'],
        ['carol', 'approved', undefined],
      ],
    );
    assert.deepEqual(row.policies, ["branch 'main' is allowed", "stage 'test' passed in this run"]);
    assert.deepEqual([...row.checksPassed].sort(), ['dependency_scan', 'unit_tests']);
    assert.deepEqual(row.checksFailed, []);

    const csv = await slipway(['audit', 'export', '--since', '2000-01-01', '--format', 'csv']);
    const lines = csv.stdout.split('\r\n');
    assert.equal(lines.length, 3);
    assert.match(
      lines[1] ?? '',
      new RegExp(
        `,production,,${sha},main,alice,1,cli,"approved by bob at [^"]+ \\(change CHG-9, reviewed\\); approved by carol at [^"]+",`,
      ),
    );
    const none = await slipway(['audit', 'export', '--since', '2999-01-01']);
    assert.deepEqual(JSON.parse(none.stdout), []);
    const bad = await slipway(['audit', 'export', '--since', 'yesterday-ish']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--since takes a date/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
