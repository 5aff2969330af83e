import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { buildRevisionManifest, comparePaths, manifestText } from './revision-manifest.js';
import { ShipError } from './ship-errors.js';
import { mismatchedPaths } from './ship-revision.js';

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

describe('buildRevisionManifest', () => {
  const root = mkdtempSync(join(tmpdir(), 'slipway-manifest-'));
  after(() => rmSync(root, { recursive: true, force: true }));
  let folders = 0;
  const folder = (files: Record<string, string>): string => {
    const dir = join(root, String(++folders));
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(join(dir, path, '..'), { recursive: true });
      writeFileSync(join(dir, path), content);
    }
    return dir;
  };

  test('lists files by path bytes with mode and SHA-256, and digests the canonical text', async () => {
    const dir = folder({ 'a/b': '1', 'a b': '2', B: '3', 'é.txt': '4', z: '5', 'run.sh': '6' });
    chmodSync(join(dir, 'run.sh'), 0o750);
    const manifest = await buildRevisionManifest(dir);
    assert.deepEqual(
      manifest.files.map((f) => f.path),
      ['B', 'a b', 'a/b', 'run.sh', 'z', 'é.txt'],
    );
    assert.deepEqual(
      manifest.files.map((f) => f.executable),
      [false, false, false, true, false, false],
    );
    assert.equal(manifest.files[0]?.sha256, sha('3'));
    assert.equal(manifest.files[0]?.size, 1);
    const text = manifestText(manifest.files);
    assert.equal(text.split('\n')[3], `${sha('6')} x run.sh`);
    assert.equal(manifest.digest, sha(text));
  });

  test('skips what a revision fingerprint skips, and the same content gets the same digest', async () => {
    const one = folder({
      'app.js': 'x',
      '.git/HEAD': 'ref',
      'node_modules/m/i.js': 'm',
      'slipway.yaml': 'a',
    });
    const two = folder({ 'app.js': 'x', 'sub/slipway.yaml': 'kept' });
    const first = await buildRevisionManifest(one);
    assert.deepEqual(
      first.files.map((f) => f.path),
      ['app.js'],
    );
    const second = await buildRevisionManifest(two);
    assert.deepEqual(
      second.files.map((f) => f.path),
      ['app.js', 'sub/slipway.yaml'],
    );
    assert.equal((await buildRevisionManifest(folder({ 'app.js': 'x' }))).digest, first.digest);
  });

  test('refuses symbolic links, unsafe names and a missing folder', async () => {
    const dir = folder({ 'app.js': 'x' });
    symlinkSync('app.js', join(dir, 'link.js'));
    const refused = async (path: string, pattern: RegExp) => {
      const error = await buildRevisionManifest(path).then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(error instanceof ShipError);
      assert.equal(error.code, 'SHIP_BAD_SOURCE');
      assert.equal(error.host, undefined);
      assert.match(error.message, pattern);
      return error;
    };
    assert.deepEqual((await refused(dir, /link\.js .*symbolic link/)).paths, ['link.js']);
    await refused(folder({ 'bad\nname': 'x' }), /control character/);
    await refused(folder({ 'back\\slash': 'x' }), /backslash/);
    await refused(join(root, 'missing'), /cannot be read/);
  });
});

test('comparePaths orders by UTF-8 bytes, as LC_ALL=C sort does', () => {
  assert.deepEqual(['é', 'z', 'a/b', 'a b', 'B'].sort(comparePaths), ['B', 'a b', 'a/b', 'z', 'é']);
  // UTF-16 order would put U+FFFD after U+1F600's surrogates; byte order does the opposite.
  assert.deepEqual(['\u{1F600}', '\uFFFD'].sort(comparePaths), ['\uFFFD', '\u{1F600}']);
});

test('mismatchedPaths names the files whose line differs on the host', () => {
  const files = [
    { path: 'a b', executable: false, sha256: sha('1'), size: 1 },
    { path: 'run', executable: true, sha256: sha('2'), size: 1 },
  ];
  const stdout = `received-bytes 1\ndigest-mismatch ff\ntree-begin\n${sha('1')} - a b\n${sha('9')} x run\n${sha('3')} - extra\n`;
  assert.deepEqual(mismatchedPaths({ digest: 'd', files }, stdout), ['extra', 'run']);
  assert.deepEqual(mismatchedPaths({ digest: 'd', files }, 'no tree'), []);
});
