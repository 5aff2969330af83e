import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import { after, describe, test } from 'node:test';
import { PlatformError } from '../../errors.js';
import { tarStream } from '../../ssh/blob-tar.js';
import { buildRevisionManifest, manifestText, type RevisionManifest } from '../../ssh/revision-manifest.js';
import { INSTALL_SCRIPT } from '../../ssh/ship-scripts.js';
import { buildHostTree, hasTree } from './host-trees.js';

const hasTools =
  spawnSync('sh', ['-c', 'command -v sha256sum && command -v tar'], { stdio: 'ignore' }).status === 0;

describe('trees built by the agent of a host', { skip: hasTools ? false : 'needs sha256sum and tar' }, () => {
  const root = mkdtempSync(join(tmpdir(), 'slipway-host-trees-'));
  after(() => rmSync(root, { recursive: true, force: true }));
  const source = join(root, 'source');
  let id = 0;

  /** Sends every blob of `manifest` into `store` with the install script, in `mode`. */
  const install = async (store: string, manifest: RevisionManifest, mode: 'tree' | 'blobs') => {
    const entries = [
      ...manifest.files.map((f) => ({
        name: `b/${f.sha256}`,
        file: join(source, f.path),
        size: f.size,
        sha256: f.sha256,
      })),
      { name: 'MANIFEST', content: Buffer.from(manifestText(manifest.files)) },
    ];
    return spawnSync('sh', ['-c', INSTALL_SCRIPT, 'ship', store, manifest.digest, `t${++id}`, mode], {
      input: await buffer(tarStream(entries)),
      encoding: 'utf8',
    });
  };

  /** Each file of a tree with its mode and content hash, by path. */
  const listing = (tree: string): Record<string, string> => {
    const out: Record<string, string> = {};
    const walk = (rel: string) => {
      for (const name of readdirSync(join(tree, rel))) {
        const path = rel === '' ? name : `${rel}/${name}`;
        const stat = lstatSync(join(tree, path));
        if (stat.isDirectory()) walk(path);
        else out[path] = `${(stat.mode & 0o777).toString(8)} ${stat.size}`;
      }
    };
    walk('');
    return out;
  };

  test('the tree is the one the install script builds: same files, modes and digest', async () => {
    mkdirSync(join(source, 'bin'), { recursive: true });
    mkdirSync(join(source, 'a b', 'c'), { recursive: true });
    writeFileSync(join(source, 'bin', 'run'), '#!/bin/sh\necho hi\n');
    chmodSync(join(source, 'bin', 'run'), 0o755);
    writeFileSync(join(source, 'a b', 'c', 'é.txt'), 'one\n');
    writeFileSync(join(source, 'same.txt'), 'one\n');
    writeFileSync(join(source, 'empty'), '');
    const manifest = await buildRevisionManifest(source);

    const byScript = join(root, 'script');
    const done = await install(byScript, manifest, 'tree');
    assert.equal(done.status, 0, done.stdout + done.stderr);

    const byAgent = join(root, 'agent');
    const stored = await install(byAgent, manifest, 'blobs');
    assert.equal(stored.status, 0, stored.stdout + stored.stderr);
    assert.match(stored.stdout, /\nstored\n$/);
    assert.equal(hasTree(byAgent, manifest.digest), false, 'the script in blobs mode builds no tree');
    buildHostTree(byAgent, manifest.digest, manifestText(manifest.files));
    assert.equal(hasTree(byAgent, manifest.digest), true);
    const tree = (store: string) => join(store, 'revisions', manifest.digest);
    assert.deepEqual(listing(tree(byAgent)), listing(tree(byScript)));
    assert.deepEqual(readdirSync(join(byAgent, 'staging')), [], 'nothing is left in staging');
    // Built again, a complete tree is left as it is.
    buildHostTree(byAgent, manifest.digest, manifestText(manifest.files));
  });

  test('a manifest that is not the digest, a path leaving the tree or a missing blob is refused', async () => {
    const store = join(root, 'refusals');
    const manifest = await buildRevisionManifest(source);
    await install(store, manifest, 'blobs');
    const text = manifestText(manifest.files);
    const refused = (code: string) => (error: unknown) =>
      error instanceof PlatformError && error.code === code;
    assert.throws(() => buildHostTree(store, manifest.digest, `${text}x`), refused('BAD_REQUEST'));
    const [first] = manifest.files;
    assert.ok(first);
    for (const path of ['../escape', '/abs', 'a/../b', 'a//b', 'bad\\name']) {
      const evil = `${first.sha256} - ${path}\n`;
      const digest = createHash('sha256').update(evil).digest('hex');
      assert.throws(() => buildHostTree(store, digest, evil), refused('BAD_REQUEST'), path);
    }
    const lacking = `${'0'.repeat(64)} - missing.txt\n`;
    const digest = createHash('sha256').update(lacking).digest('hex');
    assert.throws(() => buildHostTree(store, digest, lacking), refused('REVISION_NOT_FOUND'));
    assert.equal(existsSync(join(store, 'revisions', digest)), false);
    assert.throws(() => buildHostTree(store, '../x', text), refused('BAD_REQUEST'));
  });
});
