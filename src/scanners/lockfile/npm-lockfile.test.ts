// The packages of hand-written lockfiles: v1's nested dependencies and aliases, v3's workspace links,
// dev/optional flags and entry lines. Real npm-generated lockfiles are read in test/scanners/.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ScanError } from '../errors.js';
import { nameFromLockfilePath, parseNpmLockfile, readNpmLockfile } from './npm-lockfile.js';

const fixtures = join(import.meta.dirname, '..', '..', '..', 'test', 'fixtures', 'scanners');
const fixture = (name: string) => readFileSync(join(fixtures, name), 'utf8');
const brief = (packages: ReturnType<typeof parseNpmLockfile>) =>
  packages.map(
    (p) => `${p.path} ${p.name}@${p.version}${p.dev ? ' dev' : ''}${p.optional ? ' optional' : ''}`,
  );

describe('parseNpmLockfile', () => {
  test('v1: nested dependencies get their node_modules path; aliases resolve to the real package', () => {
    const packages = parseNpmLockfile(fixture('lockfile-v1-nested-and-alias.json'), 'package-lock.json');
    assert.deepEqual(brief(packages), [
      'node_modules/debug debug@2.6.8',
      'node_modules/debug/node_modules/ms ms@2.0.0',
      'node_modules/ms ms@2.1.3',
      'node_modules/old-pad left-pad@1.1.3 dev',
      'node_modules/@scope/tool @scope/tool@0.3.0-beta.2 optional',
      'node_modules/from-git from-git@git+https://example.test/from-git.git#0123456789abcdef0123456789abcdef01234567',
    ]);
    assert.ok(
      packages.every((p) => p.ecosystem === 'npm' && p.file === 'package-lock.json' && p.line === undefined),
    );
  });

  test('v3: links and workspace folders are skipped, workspace node_modules count, lines are found', () => {
    const text = fixture('lockfile-v3-workspace-links.json');
    const packages = parseNpmLockfile(text, 'monorepo/package-lock.json');
    assert.deepEqual(brief(packages), [
      'node_modules/lodash lodash@4.17.20 dev',
      'node_modules/fsevents fsevents@2.3.3 optional',
      'node_modules/string-width-cjs string-width@4.2.3 optional',
      'packages/api/node_modules/lodash lodash@4.17.21',
    ]);
    const lines = text.split('\n');
    for (const p of packages) assert.match(lines[(p.line ?? 0) - 1] ?? '', new RegExp(`"${p.path}": \\{`));
  });

  test('a lockfile with no packages has none; what is no lockfile is refused', () => {
    assert.deepEqual(parseNpmLockfile('{"lockfileVersion": 3, "packages": {"": {}}}', 'x'), []);
    for (const text of ['{', '{"name": "x"}', '[]', '{"lockfileVersion": 1}']) {
      assert.throws(
        () => parseNpmLockfile(text, 'bad.json'),
        (error) => error instanceof ScanError && error.code === 'SCAN_LOCKFILE_INVALID',
      );
    }
  });

  test('a missing lockfile is not_found', async () => {
    await assert.rejects(
      readNpmLockfile(join(fixtures, 'no-such-lockfile.json')),
      (error) =>
        error instanceof ScanError && error.code === 'SCAN_LOCKFILE_NOT_FOUND' && error.kind === 'not_found',
    );
  });

  test('nameFromLockfilePath', () => {
    assert.equal(nameFromLockfilePath('node_modules/a/node_modules/@s/b'), '@s/b');
    assert.equal(nameFromLockfilePath('node_modules/a'), 'a');
  });
});
