import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import { after, describe, test } from 'node:test';
import { type TarEntry, tarLength, tarStream } from './blob-tar.js';
import { buildRevisionManifest, manifestText, type RevisionManifest } from './revision-manifest.js';
import { INSTALL_SCRIPT, QUERY_SCRIPT, SHIP_EXIT } from './ship-scripts.js';

const hasTools =
  spawnSync('sh', ['-c', 'command -v sha256sum && command -v tar'], { stdio: 'ignore' }).status === 0;

/** The scripts run by the local sh, as a host's sshd would run them (no ssh involved). */
describe('ship scripts on a local store', { skip: hasTools ? false : 'needs sha256sum and tar' }, () => {
  const root = mkdtempSync(join(tmpdir(), 'slipway-ship-scripts-'));
  after(() => rmSync(root, { recursive: true, force: true }));
  const store = join(root, 'store');
  const source = join(root, 'source');
  let id = 0;
  const query = (manifest: RevisionManifest) =>
    spawnSync('sh', ['-c', QUERY_SCRIPT, 'ship', store, manifest.digest], {
      input: manifest.files.map((f) => `${f.sha256}\n`).join(''),
      encoding: 'utf8',
    });
  const install = async (manifest: RevisionManifest, blobs: readonly TarEntry[]) => {
    const entries = [...blobs, { name: 'MANIFEST', content: Buffer.from(manifestText(manifest.files)) }];
    const archive = await buffer(tarStream(entries));
    assert.equal(archive.length, tarLength(entries));
    return spawnSync('sh', ['-c', INSTALL_SCRIPT, 'ship', store, manifest.digest, `t${++id}`], {
      input: archive,
      encoding: 'utf8',
    });
  };
  const blobsOf = (manifest: RevisionManifest): TarEntry[] =>
    manifest.files.map((f) => ({
      name: `b/${f.sha256}`,
      file: join(source, f.path),
      size: f.size,
      sha256: f.sha256,
    }));

  test('the host recomputes the same digest for awkward names, and the archive unpacks with tar', async () => {
    const names = ['a b', 'a/b', 'a-b', 'a.b', 'B', 'é.txt', '-dash', 'z/ y /x', 'tab\u00a0nbsp', 'empty'];
    for (const [i, name] of names.entries()) {
      mkdirSync(join(source, name, '..'), { recursive: true });
      writeFileSync(join(source, name), name === 'empty' ? '' : `content ${i}\n`.repeat(i * 100 + 1));
    }
    chmodSync(join(source, '-dash'), 0o755);
    const manifest = await buildRevisionManifest(source);
    const asked = query(manifest);
    assert.equal(asked.status, 0, asked.stderr);
    assert.equal(asked.stdout.split('\n').filter((l) => l.length === 64).length, manifest.files.length);
    const done = await install(manifest, blobsOf(manifest));
    assert.equal(done.status, 0, done.stdout + done.stderr);
    assert.match(done.stdout, new RegExp(`received-blobs ${manifest.files.length}\ncomplete\n$`));
    const tree = join(store, 'revisions', manifest.digest);
    for (const name of names)
      assert.ok(readFileSync(join(tree, name)).equals(readFileSync(join(source, name))));
    assert.equal(query(manifest).stdout, 'complete\n');
    const unpacked = join(root, 'unpacked');
    mkdirSync(unpacked);
    const archive = await buffer(tarStream(blobsOf(manifest)));
    assert.equal(spawnSync('tar', ['-C', unpacked, '-xf', '-'], { input: archive }).status, 0);
    assert.equal(readdirSync(join(unpacked, 'b')).length, manifest.files.length);
  });

  test('an archive with a member outside b/ or a wrong manifest is refused', async () => {
    writeFileSync(join(source, 'new'), 'new\n');
    const manifest = await buildRevisionManifest(source);
    const stray = await install(manifest, [{ name: 'etc-passwd', content: Buffer.from('x') }]);
    assert.equal(stray.status, SHIP_EXIT.protocol);
    assert.match(stray.stdout, /^protocol \.\/etc-passwd$/m);
    const other = { ...manifest, digest: 'f'.repeat(64) };
    const wrong = await install(other, []);
    assert.equal(wrong.status, SHIP_EXIT.corrupt);
    assert.match(wrong.stdout, /^manifest-corrupt$/m);
    const missing = await install(manifest, []);
    assert.equal(missing.status, SHIP_EXIT.blobMissing, missing.stdout);
    assert.deepEqual(readdirSync(join(store, 'staging')), [], 'every failure cleans its staging folder');
    assert.equal(readdirSync(join(store, 'revisions')).includes(manifest.digest), false);
  });
});
