import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { type ArtifactStore, artifactsRoot, createArtifactStore } from './artifact-store.js';
import { ArtifactError } from './errors.js';

let base: string;
let root: string;
let store: ArtifactStore;

async function workspace(name: string, files: Record<string, string> = {}): Promise<string> {
  const dir = join(base, name);
  await mkdir(dir, { recursive: true });
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content);
  }
  return dir;
}

const sha = (content: string) => createHash('sha256').update(content).digest('hex');

async function objectCount(): Promise<number> {
  let count = 0;
  for (const prefix of await readdir(join(root, 'objects'))) {
    count += (await readdir(join(root, 'objects', prefix))).length;
  }
  return count;
}

function isArtifactError(code: string) {
  return (error: unknown) => error instanceof ArtifactError && error.code === code;
}

beforeEach(async () => {
  base = await mkdtemp(join(tmpdir(), 'slipway-artifacts-'));
  root = artifactsRoot(join(base, 'project'));
  store = createArtifactStore({ root });
});

afterEach(async () => {
  await rm(base, { recursive: true, force: true });
});

describe('artifact store', () => {
  it('collects ** matches, dotfiles included, minus exclusions, sorted by path', async () => {
    const cwd = await workspace('w', {
      'dist/index.js': 'js',
      'dist/index.js.map': 'map',
      'dist/nested/deep/.env.example': 'dot',
      'dist/nested/b.css': 'css',
      'coverage/lcov.info': 'lcov',
      'src/app.ts': 'ts',
    });
    await chmod(join(cwd, 'dist/index.js'), 0o755);
    const manifest = await store.collect(['dist/**', '!**/*.map', 'coverage/lcov.info'], cwd);
    assert.deepEqual(
      manifest.files.map((f) => f.path),
      ['coverage/lcov.info', 'dist/index.js', 'dist/nested/b.css', 'dist/nested/deep/.env.example'],
    );
    const index = manifest.files.find((f) => f.path === 'dist/index.js');
    assert.deepEqual(index, { path: 'dist/index.js', sha256: sha('js'), size: 2, mode: 0o755 });
    assert.equal(manifest.totalBytes, 4 + 2 + 3 + 3);
    const object = join(root, 'objects', sha('js').slice(0, 2), sha('js'));
    assert.equal(await readFile(object, 'utf8'), 'js');
    assert.deepEqual(await readdir(join(root, 'tmp')), []);
  });

  it('stores identical content once', async () => {
    const cwd = await workspace('w', { 'a/one.txt': 'same', 'b/two.txt': 'same', 'c.txt': 'other' });
    const manifest = await store.collect(['**/*.txt'], cwd);
    assert.equal(manifest.files.length, 3);
    assert.equal(manifest.files[0]?.sha256, manifest.files[1]?.sha256);
    assert.equal(await objectCount(), 2);
    await store.collect(['**/*.txt'], cwd);
    assert.equal(await objectCount(), 2);
  });

  it('returns an empty manifest when nothing matches', async () => {
    const cwd = await workspace('w', { 'a.txt': 'a' });
    assert.deepEqual(await store.collect(['dist/**', 'nope.txt'], cwd), { files: [], totalBytes: 0 });
  });

  it('rejects patterns and symlinks leading outside the working directory', async () => {
    const outside = await workspace('outside', { 'secret.txt': 's' });
    const cwd = await workspace('w', { 'dist/a.txt': 'a' });
    await assert.rejects(store.collect(['../outside/*.txt'], cwd), isArtifactError('ARTIFACT_PATH_OUTSIDE'));
    await assert.rejects(
      store.collect([join(outside, '*.txt')], cwd),
      isArtifactError('ARTIFACT_PATH_OUTSIDE'),
    );
    await symlink(join(outside, 'secret.txt'), join(cwd, 'dist/leak.txt'));
    await assert.rejects(store.collect(['dist/**'], cwd), isArtifactError('ARTIFACT_PATH_OUTSIDE'));
  });

  it('materializes into an empty directory with modes restored', async () => {
    const src = await workspace('src', {
      'dist/app.js': 'app',
      'dist/lib/util.js': 'util',
      'bin/run': '#!/bin/sh',
    });
    await chmod(join(src, 'bin/run'), 0o750);
    const manifest = await store.collect(['dist/**', 'bin/run'], src);
    const dst = join(base, 'fresh', 'dir');
    assert.deepEqual(await store.materialize(manifest, dst), { written: 3, unchanged: 0 });
    assert.equal(await readFile(join(dst, 'dist/lib/util.js'), 'utf8'), 'util');
    assert.equal((await stat(join(dst, 'bin/run'))).mode & 0o777, 0o750);
    assert.deepEqual((await readdir(join(dst, 'dist'))).sort(), ['app.js', 'lib']);
  });

  it('rewrites only the changed file of an existing tree', async () => {
    const files = { 'a.txt': 'aaa', 'b/b.txt': 'bbb', 'b/c/c.txt': 'ccc', 'd.txt': 'ddd' };
    const src = await workspace('src', files);
    const manifest = await store.collect(['**'], src);
    const dst = await workspace('dst', { ...files, 'b/c/c.txt': 'CCC' });
    assert.deepEqual(await store.materialize(manifest, dst), { written: 1, unchanged: 3 });
    assert.equal(await readFile(join(dst, 'b/c/c.txt'), 'utf8'), 'ccc');
    assert.deepEqual(await store.materialize(manifest, dst), { written: 0, unchanged: 4 });
  });

  it('refuses manifest paths outside the target directory', async () => {
    const dst = await workspace('dst');
    const evil = { files: [{ path: '../evil.txt', sha256: sha('x'), size: 1, mode: 0o644 }], totalBytes: 1 };
    await assert.rejects(store.materialize(evil, dst), isArtifactError('ARTIFACT_PATH_OUTSIDE'));
    const badSha = {
      files: [{ path: 'x.txt', sha256: '../../etc/passwd', size: 1, mode: 0o644 }],
      totalBytes: 1,
    };
    await assert.rejects(store.materialize(badSha, dst), isArtifactError('ARTIFACT_MANIFEST_INVALID'));
  });

  it('verify reports missing and corrupt objects', async () => {
    const cwd = await workspace('w', { 'good.txt': 'good', 'bad.txt': 'bad', 'bad-copy.txt': 'bad' });
    const manifest = await store.collect(['*.txt'], cwd);
    assert.deepEqual(await store.verify(manifest), { ok: true, missing: [], corrupt: [] });

    await writeFile(join(root, 'objects', sha('bad').slice(0, 2), sha('bad')), 'tampered');
    const ghost = { path: 'ghost.txt', sha256: sha('ghost'), size: 5, mode: 0o644 };
    const result = await store.verify({ ...manifest, files: [...manifest.files, ghost] });
    assert.deepEqual(result, { ok: false, missing: ['ghost.txt'], corrupt: ['bad-copy.txt', 'bad.txt'] });
    await assert.rejects(
      store.materialize(manifest, await workspace('dst')),
      isArtifactError('ARTIFACT_OBJECT_CORRUPT'),
    );
  });
});
