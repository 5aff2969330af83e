// The example project's security stage (examples/hello/slipway.yaml) on copies of the example, with
// the real ESLint, `slipway scan deps` and npm, gated by each job's findings. As it is, the example
// passes. A planted eval or child_process exec fails sast_analysis, and so does a file ESLint cannot
// parse. A lockfile that pins a vulnerable package fails dependency_scan and container_scan. With BASE_ROOTFS=/ the container job also reads
// this machine's dpkg database.
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(REPO, 'bin', 'slipway.js');

interface Outcome {
  readonly code: number;
  readonly out: string;
}

interface FindingsReport {
  readonly gates: readonly { job: string; gate: string }[];
  readonly findings: readonly {
    jobKey: string;
    status: string;
    severity: string;
    rule: string;
    location?: { file: string; line?: number };
  }[];
}

const roots: string[] = [];
after(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

// A copy laid out as `slipway demo` lays it out: ../../node_modules and ../../bin link to this
// repository's. A downloaded OSV export (advisories/osv) is left out, so only the sample advisories count.
function copyExample(): string {
  const root = mkdtempSync(join(tmpdir(), 'slipway-example-'));
  roots.push(root);
  const dir = join(root, 'examples', 'hello');
  cpSync(join(REPO, 'examples', 'hello'), dir, {
    recursive: true,
    filter: (path) => !/[/\\](node_modules|dist|build|reports|\.slipway|advisories[/\\]osv)$/.test(path),
  });
  symlinkSync(join(REPO, 'node_modules'), join(root, 'node_modules'));
  symlinkSync(join(REPO, 'bin'), join(root, 'bin'));
  return dir;
}

// npm in the container job needs this machine's registry settings (CA certificates among them), so
// the jobs get the caller's environment, less what would change what the stage does.
const { BASE_ROOTFS: _rootfs, SLIPWAY_SERVER: _server, ...inherited } = process.env;

function slipway(dir: string, args: string[], env: Record<string, string> = {}): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      {
        cwd: dir,
        env: { ...inherited, NO_COLOR: '1', ...env },
        timeout: 180_000,
        maxBuffer: 16 * 1024 * 1024,
      },
      (error, stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, out: stdout + stderr }),
    );
  });
}

// Runs the security stage, then reads the run's findings as `slipway findings --json` prints them.
async function securityStage(
  dir: string,
  env: Record<string, string> = {},
): Promise<{ run: Outcome; gates: Record<string, string>; findings: string[] }> {
  const run = await slipway(dir, ['run', '--stage', 'security'], env);
  const listed = await slipway(dir, ['--json', 'findings', '1']);
  assert.equal(listed.code, 0, listed.out);
  const report = JSON.parse(listed.out) as FindingsReport;
  return {
    run,
    gates: Object.fromEntries(report.gates.map((g) => [g.job, g.gate])),
    findings: report.findings.map(
      (f) =>
        `${f.jobKey}: ${f.status} ${f.severity} ${f.rule} ${f.location?.file ?? '-'}${f.location?.line ? `:${f.location.line}` : ''}`,
    ),
  };
}

describe('the example project security stage', { timeout: 600_000 }, () => {
  test('passes on the example as it is; ESLint warnings are recorded below the gate', async () => {
    const dir = copyExample();
    const { run, gates, findings } = await securityStage(dir);
    assert.equal(run.code, 0, run.out);
    assert.deepEqual(gates, { dependency_scan: 'passed', sast_analysis: 'passed', container_scan: 'passed' });
    assert.deepEqual(findings.sort(), [
      'sast_analysis: below medium security/detect-non-literal-fs-filename src/server.ts:17',
      'sast_analysis: below medium security/detect-object-injection src/app.ts:90',
    ]);
    assert.match(
      run.out,
      /dependency_scan \| scan: 0 packages, 2 advisories, 0 findings -> reports\/deps\.sarif/,
    );
    assert.match(run.out, /container_scan \| base image root filesystem: not given/);
    const sarif = JSON.parse(readFileSync(join(dir, 'reports', 'eslint.sarif'), 'utf8'));
    assert.equal(sarif.runs[0].tool.driver.name, 'ESLint');
  });

  test('an eval of input and a child_process exec of a variable fail sast_analysis', async () => {
    const dir = copyExample();
    writeFileSync(
      join(dir, 'src', 'report.ts'),
      [
        "import { exec } from 'node:child_process';",
        'export const runReport = (name: string): void => void exec(`report ${name}`);',
        'export const evaluate = (input: string): unknown => eval(input);',
        '',
      ].join('\n'),
    );
    const { run, gates, findings } = await securityStage(dir);
    assert.notEqual(run.code, 0, run.out);
    assert.deepEqual(gates, { dependency_scan: 'passed', sast_analysis: 'failed', container_scan: 'passed' });
    assert.deepEqual(findings.filter((f) => f.includes('counted')).sort(), [
      'sast_analysis: counted high security/detect-child-process src/report.ts:2',
      'sast_analysis: counted high security/detect-eval-with-expression src/report.ts:3',
    ]);
    assert.match(run.out, /sast_analysis \| findings: .*\n.*HIGH security\/detect-/);
  });

  test('a source file ESLint cannot parse fails sast_analysis rather than passing unscanned', async () => {
    const dir = copyExample();
    writeFileSync(join(dir, 'src', 'broken.ts'), 'export const = ;\n');
    const { run, gates } = await securityStage(dir);
    assert.notEqual(run.code, 0, run.out);
    // The report has no results, so the gate passes; ESLint's exit code 2 fails the job.
    assert.equal(gates.sast_analysis, 'passed');
    assert.match(run.out, /sast_analysis: failure exit 1/);
    assert.match(run.out, /dependency_scan: success/);
  });

  test('a lockfile that pins minimist 1.2.5 fails dependency_scan and container_scan', async () => {
    const dir = copyExample();
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify({ ...manifest, dependencies: { minimist: '1.2.5' } }, null, 2),
    );
    const npm = spawnSync(
      'npm',
      ['install', '--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund'],
      { cwd: dir, encoding: 'utf8', timeout: 120_000 },
    );
    assert.equal(
      npm.status,
      0,
      `npm install --package-lock-only (is the registry reachable?): ${npm.stderr}`,
    );
    const { run, gates, findings } = await securityStage(dir);
    assert.notEqual(run.code, 0, run.out);
    assert.deepEqual(gates, { dependency_scan: 'failed', sast_analysis: 'passed', container_scan: 'failed' });
    const lockLine =
      readFileSync(join(dir, 'package-lock.json'), 'utf8')
        .split('\n')
        .findIndex((line) => line.includes('"node_modules/minimist": {')) + 1;
    assert.deepEqual(findings.filter((f) => f.includes('counted')).sort(), [
      'container_scan: counted critical GHSA-xvch-5gv4-984h build/image/app/node_modules/minimist/package.json',
      `dependency_scan: counted critical GHSA-xvch-5gv4-984h package-lock.json:${lockLine}`,
    ]);
  });

  const debian = existsSync('/var/lib/dpkg/status') && spawnSync('dpkg-query', ['--version']).status === 0;
  test('with BASE_ROOTFS=/ the container job matches the Debian packages of this machine', {
    skip: !debian && 'no dpkg database here',
  }, async () => {
    const dir = copyExample();
    const query = spawnSync(
      'dpkg-query',
      ['-W', '-f', '${source:Package}\t${source:Version}', 'base-files'],
      {
        encoding: 'utf8',
      },
    );
    assert.equal(query.status, 0, query.stderr);
    const [name, version] = query.stdout.split('\t') as [string, string];
    const versionId = /^VERSION_ID="?([^"\n]*)"?$/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1];
    const ecosystem = versionId ? `Debian:${versionId}` : 'Debian';
    // An advisory written for the test: base-files as installed here, up to its exact version.
    mkdirSync(join(dir, 'advisories', 'test'));
    writeFileSync(
      join(dir, 'advisories', 'test', 'TEST-BASE-FILES.json'),
      JSON.stringify({
        id: 'TEST-BASE-FILES',
        modified: '2026-01-01T00:00:00Z',
        summary: `Test advisory: ${name} up to ${version}`,
        affected: [
          {
            package: { ecosystem, name },
            ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { last_affected: version }] }],
          },
        ],
        database_specific: { severity: 'HIGH' },
      }),
    );
    const { run, gates, findings } = await securityStage(dir, { BASE_ROOTFS: '/' });
    assert.notEqual(run.code, 0, run.out);
    assert.deepEqual(gates, { dependency_scan: 'passed', sast_analysis: 'passed', container_scan: 'failed' });
    assert.match(run.out, /container_scan \| base image root filesystem: \/\n/);
    const counted = findings.filter((f) => f.includes('counted'));
    assert.equal(counted.length, 1, findings.join('\n'));
    assert.match(counted[0]!, /^container_scan: counted high TEST-BASE-FILES var\/lib\/dpkg\/status:\d+$/);
  });
});
