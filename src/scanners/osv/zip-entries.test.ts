// ZIP archives written by Python's zipfile (stored, deflated, folders, a comment, ZIP64 for more than
// 65535 entries) read back byte for byte; damaged archives are refused.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ScanError } from '../errors.js';
import { zipEntries } from './zip-entries.js';

const python = spawnSync('python3', ['--version']).status === 0;

function pythonZip(script: string): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-zip-'));
  try {
    const path = join(dir, 'test.zip');
    const run = spawnSync('python3', ['-c', `import sys, zipfile\npath = sys.argv[1]\n${script}`, path], {
      encoding: 'utf8',
    });
    assert.equal(run.status, 0, run.stderr);
    return readFileSync(path);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const invalid = (error: unknown) => error instanceof ScanError && error.code === 'SCAN_ARCHIVE_INVALID';

describe('zipEntries', { skip: !python && 'python3 is not installed' }, () => {
  test('stored and deflated entries, folders left out, a comment after the end record', () => {
    const zip = pythonZip(`
with zipfile.ZipFile(path, 'w') as z:
    z.writestr('GHSA-1.json', '{"id": "GHSA-1"}' * 50, compress_type=zipfile.ZIP_DEFLATED)
    z.writestr('sub/', '')
    z.writestr('sub/stored é.json', 'stored text', compress_type=zipfile.ZIP_STORED)
    z.writestr('empty.json', '', compress_type=zipfile.ZIP_DEFLATED)
    z.comment = b'x' * 1000
`);
    const entries = zipEntries(zip);
    assert.deepEqual(
      entries.map((e) => [e.name, e.read().toString('utf8')]),
      [
        ['GHSA-1.json', '{"id": "GHSA-1"}'.repeat(50)],
        ['sub/stored é.json', 'stored text'],
        ['empty.json', ''],
      ],
    );
  });

  test('ZIP64: more than 65535 entries', () => {
    const zip = pythonZip(`
with zipfile.ZipFile(path, 'w', compression=zipfile.ZIP_STORED) as z:
    for i in range(65540):
        z.writestr(f'{i}.json', str(i))
`);
    const entries = zipEntries(zip);
    assert.equal(entries.length, 65540);
    assert.equal(entries[65539]?.name, '65539.json');
    assert.equal(entries[65539]?.read().toString(), '65539');
  });

  test('damaged archives are refused', () => {
    const zip = pythonZip(`
with zipfile.ZipFile(path, 'w', compression=zipfile.ZIP_STORED) as z:
    z.writestr('a.json', 'abcdef')
`);
    assert.throws(() => zipEntries(Buffer.from('not a zip at all, just some text')), invalid);
    const corrupt = Buffer.from(zip);
    corrupt[corrupt.indexOf('abcdef')] = 0x41;
    assert.throws(() => zipEntries(corrupt)[0]?.read(), invalid);
  });
});
