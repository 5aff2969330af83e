// `slipway scan deps` as a security stage runs it: a real npm lockfile against OSV advisories made
// for the test, written as SARIF, gated by the job's findings: in a real pipeline run.
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'bin/slipway.js');
const advisories = join(root, 'test', 'fixtures', 'scanners', 'advisories');

test('scan deps writes SARIF that fails the job gate on the critical advisory, and findings lists it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-scan-'));
  try {
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify({ name: 'scanned', version: '1.0.0', dependencies: { debug: '2.6.9', ms: '2.1.3' } }),
    );
    const npm = spawnSync(
      'npm',
      ['install', '--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund'],
      {
        cwd: dir,
        encoding: 'utf8',
        timeout: 120_000,
      },
    );
    assert.equal(npm.status, 0, npm.stderr);
    const scan = `${JSON.stringify(process.execPath)} ${JSON.stringify(bin)} scan deps --lockfile package-lock.json --advisories ${JSON.stringify(advisories)} --sarif reports/osv.sarif`;
    writeFileSync(
      join(dir, 'slipway.yaml'),
      `version: 1
project: { name: scanned }
jobs:
  dependency_scan:
    run: '${scan.replaceAll("'", "''")}'
    findings: { sarif: reports/osv.sarif, failOn: high }
`,
    );
    spawnSync('git', ['init', '-q'], { cwd: dir });
    const run = (...args: string[]) =>
      new Promise<{ code: number; out: string }>((resolve) => {
        execFile(
          process.execPath,
          [bin, ...args],
          { cwd: dir, env: { PATH: process.env.PATH, HOME: dir, NO_COLOR: '1' }, timeout: 60_000 },
          (error, stdout, stderr) =>
            resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, out: stdout + stderr }),
        );
      });
    const result = await run('run');
    assert.equal(result.code, 1, result.out);
    assert.match(result.out, /scan: \d+ packages, 8 advisories, 2 findings -> reports\/osv\.sarif/);
    const sarif = JSON.parse(readFileSync(join(dir, 'reports', 'osv.sarif'), 'utf8'));
    assert.equal(sarif.version, '2.1.0');
    const findings = JSON.parse((await run('--json', 'findings', '1')).out);
    assert.deepEqual(
      findings.findings.map(
        (f: { rule: string; severity: string; status: string }) => `${f.status} ${f.severity} ${f.rule}`,
      ),
      ['counted critical CVE-2099-10002', 'below medium GHSA-9q3w-7m2r-x4f5'],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
