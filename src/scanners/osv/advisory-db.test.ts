// The offline advisory database: the test advisories loaded from their folder and from a zip made like
// OSV's `all.zip`, indexed by package; invalid records are refused with the file named.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ScanError } from '../errors.js';
import { AdvisoryDb, loadAdvisoryDb } from './advisory-db.js';
import type { OsvAdvisory } from './osv-advisory.js';

const advisories = join(import.meta.dirname, '..', '..', '..', 'test', 'fixtures', 'scanners', 'advisories');
const ids = (list: readonly OsvAdvisory[]) => list.map((a) => a.id).sort();

describe('AdvisoryDb', () => {
  test('a folder of OSV files, indexed by ecosystem and package', async () => {
    const db = await loadAdvisoryDb(advisories);
    assert.equal(db.size, 8);
    assert.deepEqual(ids(db.advisoriesFor('npm', 'ms')), [
      'GHSA-7f8g-3m4p-q2v6',
      'GHSA-9q3w-7m2r-x4f5',
      'GHSA-wwww-2x3c-h7jq',
    ]);
    assert.deepEqual(ids(db.advisoriesFor('PyPI', 'ms')), ['PYSEC-2099-1']);
    assert.deepEqual(ids(db.advisoriesFor('Debian:12', 'openssl')), ['DSA-9999-1']);
    assert.deepEqual(ids(db.advisoriesFor('Debian:11', 'openssl')), []);
    assert.deepEqual(db.advisoriesFor('npm', 'not-there'), []);
  });

  test('an advisory for the base ecosystem covers every release', () => {
    const db = AdvisoryDb.of([
      {
        id: 'A',
        modified: '2024-01-01T00:00:00Z',
        affected: [{ package: { ecosystem: 'Debian', name: 'x' } }],
      },
    ]);
    assert.deepEqual(ids(db.advisoriesFor('Debian:12', 'x')), ['A']);
  });

  test('of two records with one id the later modified wins, and its packages', () => {
    const older: OsvAdvisory = {
      id: 'GHSA-x',
      modified: '2024-01-01T00:00:00Z',
      affected: [{ package: { ecosystem: 'npm', name: 'old-name' } }],
    };
    const newer: OsvAdvisory = { ...older, modified: '2024-02-01T00:00:00Z', affected: [] };
    for (const order of [
      [older, newer],
      [newer, older],
    ]) {
      const db = AdvisoryDb.of(order);
      assert.equal(db.size, 1);
      assert.deepEqual(db.advisoriesFor('npm', 'old-name'), []);
    }
  });

  const python = spawnSync('python3', ['--version']).status === 0;
  test('an OSV export zip reads as its folder does', {
    skip: !python && 'python3 is not installed',
  }, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'slipway-osv-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const zip = join(dir, 'all.zip');
    const made = spawnSync('python3', [
      '-c',
      'import sys, zipfile, pathlib\nwith zipfile.ZipFile(sys.argv[2], "w", zipfile.ZIP_DEFLATED) as z:\n' +
        '    for f in sorted(pathlib.Path(sys.argv[1]).glob("*.json")): z.write(f, f.name)',
      advisories,
      zip,
    ]);
    assert.equal(made.status, 0, String(made.stderr));
    const fromZip = await loadAdvisoryDb(zip);
    const fromDir = await loadAdvisoryDb(advisories);
    assert.equal(fromZip.size, 8);
    assert.deepEqual(fromZip.advisoriesFor('npm', 'ms'), fromDir.advisoriesFor('npm', 'ms'));
  });

  test('a file that is no advisory, or no database at all, is refused', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'slipway-osv-bad-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    mkdirSync(join(dir, 'npm'));
    writeFileSync(
      join(dir, 'npm', 'BAD-1.json'),
      JSON.stringify({ id: 'BAD-1', modified: 'x', affected: [{}] }),
    );
    await assert.rejects(
      loadAdvisoryDb(dir),
      (e) =>
        e instanceof ScanError &&
        e.code === 'SCAN_ADVISORY_INVALID' &&
        /BAD-1\.json.*affected\[0\]/.test(e.message),
    );
    writeFileSync(join(dir, 'npm', 'BAD-1.json'), '{');
    await assert.rejects(
      loadAdvisoryDb(dir),
      (e) => e instanceof ScanError && e.code === 'SCAN_ADVISORY_INVALID',
    );
    await assert.rejects(
      loadAdvisoryDb(join(dir, 'missing')),
      (e) => e instanceof ScanError && e.code === 'SCAN_ADVISORY_DB_NOT_FOUND' && e.kind === 'not_found',
    );
  });
});
