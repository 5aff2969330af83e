// End to end: a lockfile npm itself generates in a temp dir, scanned against OSV advisories made for the
// test, gives the expected findings; the SARIF written from them is valid against the official SARIF
// 2.1.0 schema and reads back through the findings reader as the same findings.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { readSarif } from '../../src/findings/read-sarif.js';
import { SLIPWAY_FINGERPRINT_KEY, writeSarifLog } from '../../src/findings/sarif-writer.js';
import { dependencyFingerprint, scanDependencies } from '../../src/scanners/dependency-scan.js';
import type { InstalledPackage } from '../../src/scanners/installed-package.js';
import { readInstalledTree } from '../../src/scanners/lockfile/installed-tree.js';
import { readNpmLockfile } from '../../src/scanners/lockfile/npm-lockfile.js';
import { loadAdvisoryDb } from '../../src/scanners/osv/advisory-db.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const root = join(fileURLToPath(import.meta.url), '..', '..', '..');
const advisoriesDir = join(root, 'test', 'fixtures', 'scanners', 'advisories');

const MANIFEST = {
  name: 'scan-e2e',
  version: '1.0.0',
  // debug 2.6.9 pins ms 2.0.0, which npm nests under it because the project wants ms 2.1.3.
  dependencies: { debug: '2.6.9', ms: '2.1.3', 'is-number': '7.0.0' },
  devDependencies: { 'left-pad': '1.3.0' },
};

function npmLockfile(dir: string, lockfileVersion: number): string {
  writeFileSync(join(dir, 'package.json'), JSON.stringify(MANIFEST, null, 2));
  const npm = spawnSync(
    'npm',
    [
      'install',
      '--package-lock-only',
      '--ignore-scripts',
      '--no-audit',
      '--no-fund',
      `--lockfile-version=${lockfileVersion}`,
    ],
    { cwd: dir, encoding: 'utf8', timeout: 120_000 },
  );
  assert.equal(
    npm.status,
    0,
    `npm install --package-lock-only failed (is the registry reachable?): ${npm.stderr}`,
  );
  return join(dir, 'package-lock.json');
}

const lineOf = (text: string, key: string) =>
  text.split('\n').findIndex((l) => l.includes(`"${key}": {`)) + 1;

describe('dependency scan of a real npm lockfile', () => {
  const dirs: string[] = [];
  let packages: InstalledPackage[] = [];
  let lockText = '';
  before(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'slipway-scan-'));
    dirs.push(dir);
    const lockfile = npmLockfile(dir, 3);
    lockText = readFileSync(lockfile, 'utf8');
    packages = await readNpmLockfile(lockfile, 'package-lock.json');
  });
  after(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  test('the lockfile npm wrote is read with paths, dev flags and lines', () => {
    assert.deepEqual(packages.map((p) => [p.path, p.name, p.version, p.dev]).sort(), [
      ['node_modules/debug', 'debug', '2.6.9', false],
      ['node_modules/debug/node_modules/ms', 'ms', '2.0.0', false],
      ['node_modules/is-number', 'is-number', '7.0.0', false],
      ['node_modules/left-pad', 'left-pad', '1.3.0', true],
      ['node_modules/ms', 'ms', '2.1.3', false],
    ]);
    for (const p of packages) assert.equal(p.line, lineOf(lockText, p.path), p.path);
  });

  test('lockfile version 2 gives the same packages', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'slipway-scan-v2-'));
    dirs.push(dir);
    const lockfile = npmLockfile(dir, 2);
    assert.equal(JSON.parse(readFileSync(lockfile, 'utf8')).lockfileVersion, 2);
    const v2 = await readNpmLockfile(lockfile, 'package-lock.json');
    const brief = (list: InstalledPackage[]) => list.map((p) => `${p.path}@${p.version}:${p.dev}`).sort();
    assert.deepEqual(brief(v2), brief(packages));
  });

  test('the advisories covering it become the expected findings', async () => {
    const db = await loadAdvisoryDb(advisoriesDir);
    assert.equal(db.size, 8);
    const findings = scanDependencies({ packages, advisories: db });
    const at = (path: string) => ({ file: 'package-lock.json', line: lineOf(lockText, path) });
    assert.deepEqual(
      findings.map(({ message, ...rest }) => rest),
      [
        {
          tool: 'osv',
          rule: 'CVE-2099-10002',
          severity: 'critical',
          location: at('node_modules/debug'),
          fingerprint: dependencyFingerprint(
            { ecosystem: 'npm', name: 'debug', version: '2.6.9' },
            'CVE-2099-10002',
          ),
          fingerprintSource: 'report',
        },
        {
          tool: 'osv',
          rule: 'GHSA-9q3w-7m2r-x4f5',
          severity: 'medium',
          location: at('node_modules/debug/node_modules/ms'),
          fingerprint: dependencyFingerprint(
            { ecosystem: 'npm', name: 'ms', version: '2.0.0' },
            'GHSA-9q3w-7m2r-x4f5',
          ),
          fingerprintSource: 'report',
        },
        {
          tool: 'osv',
          rule: 'GHSA-c5vx-p7gh-2j3m',
          severity: 'medium',
          location: at('node_modules/is-number'),
          fingerprint: dependencyFingerprint(
            { ecosystem: 'npm', name: 'is-number', version: '7.0.0' },
            'GHSA-c5vx-p7gh-2j3m',
          ),
          fingerprintSource: 'report',
        },
        {
          tool: 'osv',
          rule: 'GHSA-4r6h-8v2j-q9mw',
          severity: 'low',
          location: at('node_modules/left-pad'),
          fingerprint: dependencyFingerprint(
            { ecosystem: 'npm', name: 'left-pad', version: '1.3.0' },
            'GHSA-4r6h-8v2j-q9mw',
          ),
          fingerprintSource: 'report',
        },
      ],
    );
    assert.deepEqual(
      findings.map((f) => f.message),
      [
        'debug@2.6.9 (node_modules/debug) is affected by CVE-2099-10002: Test advisory: debug 2.x formats untrusted input (no fixed version known)',
        'ms@2.0.0 (node_modules/debug/node_modules/ms) is affected by GHSA-9q3w-7m2r-x4f5: Test advisory: ms 2.0.0 parses long strings slowly (fixed in 2.0.1)',
        'is-number@7.0.0 (node_modules/is-number) is affected by GHSA-c5vx-p7gh-2j3m: Test advisory: is-number 7.0.0 listed by version (no fixed version known)',
        'left-pad@1.3.0 (node_modules/left-pad, dev dependency) is affected by GHSA-4r6h-8v2j-q9mw: Test advisory: left-pad pads with the wrong character (fixed in 1.3.1)',
      ],
    );
    assert.equal(scanDependencies({ packages: packages.filter((p) => !p.dev), advisories: db }).length, 3);
  });

  test("the tree `npm ci --omit=dev` installs (the container job) holds the lockfile's production packages", async () => {
    const dir = dirs[0]!;
    const ci = spawnSync('npm', ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund'], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 120_000,
    });
    assert.equal(ci.status, 0, ci.stderr);
    const tree = await readInstalledTree(dir, 'usr/src/app');
    const brief = (list: InstalledPackage[]) => list.map((p) => `${p.path} ${p.name}@${p.version}`).sort();
    assert.deepEqual(brief(tree), brief(packages.filter((p) => !p.dev)));
    const findings = scanDependencies({ packages: tree, advisories: await loadAdvisoryDb(advisoriesDir) });
    assert.deepEqual(
      findings.map((f) => `${f.rule} ${f.location?.file}`),
      [
        'CVE-2099-10002 usr/src/app/node_modules/debug/package.json',
        'GHSA-9q3w-7m2r-x4f5 usr/src/app/node_modules/debug/node_modules/ms/package.json',
        'GHSA-c5vx-p7gh-2j3m usr/src/app/node_modules/is-number/package.json',
      ],
    );
  });

  test('the SARIF written from the findings is valid SARIF 2.1.0 and reads back as the same findings', async () => {
    const findings = scanDependencies({ packages, advisories: await loadAdvisoryDb(advisoriesDir) });
    const log = JSON.parse(JSON.stringify(writeSarifLog([{ tool: 'osv', toolVersion: '1.0.0', findings }])));

    // The vendored schema declares draft-04; it uses no draft-04-only keyword, so renaming `id` lets ajv's
    // draft-07 validator check it unchanged.
    const schemaPath = join(root, 'schema', 'sarif', 'sarif-schema-2.1.0.json');
    const { id, $schema: _draft, ...rest } = JSON.parse(readFileSync(schemaPath, 'utf8'));
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    const validate = ajv.compile({ $schema: 'http://json-schema.org/draft-07/schema#', $id: id, ...rest });
    assert.equal(validate(log), true, JSON.stringify(validate.errors, null, 2));
    assert.equal(validate({ ...log, version: '2.0.0' }), false, 'the schema check can fail');

    const run = log.runs[0];
    assert.deepEqual(
      run.tool.driver.rules.map((r: { id: string; properties: Record<string, unknown> }) => [
        r.id,
        r.properties['security-severity'],
      ]),
      [
        ['CVE-2099-10002', '9.5'],
        ['GHSA-9q3w-7m2r-x4f5', '5.5'],
        ['GHSA-c5vx-p7gh-2j3m', '5.5'],
        ['GHSA-4r6h-8v2j-q9mw', '2.0'],
      ],
    );
    assert.equal(run.results[0].partialFingerprints[SLIPWAY_FINGERPRINT_KEY], findings[0]?.fingerprint);
    assert.deepEqual(readSarif(log, { file: 'reports/osv.sarif' }), findings);
  });
});
