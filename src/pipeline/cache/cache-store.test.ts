import assert from 'node:assert/strict';
import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { entryDir, readEntryMeta } from './cache-entry.js';
import { type CacheStore, cacheRoot, createCacheStore } from './cache-store.js';
import { CacheError } from './errors.js';

let base: string;
let root: string;
let now: number;
let store: CacheStore;

async function write(dir: string, files: Record<string, string>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content);
  }
}

async function workspace(name: string, files: Record<string, string> = {}): Promise<string> {
  const dir = join(base, name);
  await mkdir(dir, { recursive: true });
  await write(dir, files);
  return dir;
}

const read = (dir: string, path: string) => readFile(join(dir, path), 'utf8');

function isCacheError(code: string) {
  return (error: unknown) => error instanceof CacheError && error.code === code;
}

beforeEach(async () => {
  base = await mkdtemp(join(tmpdir(), 'slipway-cache-'));
  root = cacheRoot(join(base, 'project'));
  now = 1_000;
  store = createCacheStore({ root, clock: { now: () => now } });
});

afterEach(async () => {
  await rm(base, { recursive: true, force: true });
});

describe('cache store', () => {
  it('puts the cache under .slipway/cache of the project', () => {
    assert.equal(cacheRoot('/p'), join('/p', '.slipway', 'cache'));
  });

  it('misses when nothing was saved', async () => {
    const cwd = await workspace('w');
    assert.deepEqual(await store.restore('deps-1', ['deps-'], ['node_modules'], cwd), { status: 'miss' });
  });

  it('saves, then restores the exact key over what is there', async () => {
    const src = await workspace('src', { 'node_modules/a/index.js': 'a', 'node_modules/b.js': 'bb' });
    assert.deepEqual(await store.save('deps-1', ['node_modules'], src), { status: 'saved', bytes: 3 });

    const dst = await workspace('dst', { 'node_modules/stale.js': 'old', 'keep.txt': 'k' });
    assert.deepEqual(await store.restore('deps-1', [], ['node_modules'], dst), {
      status: 'hit',
      key: 'deps-1',
    });
    assert.equal(await read(dst, 'node_modules/a/index.js'), 'a');
    assert.equal(await read(dst, 'node_modules/b.js'), 'bb');
    assert.deepEqual((await readdir(join(dst, 'node_modules'))).sort(), ['a', 'b.js']);
    assert.equal(await read(dst, 'keep.txt'), 'k');

    const meta = await readEntryMeta(entryDir(root, 'deps-1'));
    assert.deepEqual(meta, { key: 'deps-1', createdAt: 1_000, paths: ['node_modules'], bytes: 3 });
  });

  it('keeps entries immutable: a second save of the key changes nothing', async () => {
    const cwd = await workspace('w', { 'out.txt': 'first' });
    await store.save('k', ['out.txt'], cwd);
    await writeFile(join(cwd, 'out.txt'), 'second, longer');
    now = 2_000;
    assert.deepEqual(await store.save('k', ['out.txt'], cwd), { status: 'exists' });

    const dst = await workspace('dst');
    await store.restore('k', [], ['out.txt'], dst);
    assert.equal(await read(dst, 'out.txt'), 'first');
    assert.equal((await readEntryMeta(entryDir(root, 'k')))?.createdAt, 1_000);
  });

  it('skips missing paths and reports nothing_to_save when none exist', async () => {
    const cwd = await workspace('w', { 'a.txt': 'a' });
    assert.deepEqual(await store.save('none', ['missing', 'also/missing'], cwd), {
      status: 'nothing_to_save',
    });
    assert.deepEqual(await store.save('some', ['missing', 'a.txt'], cwd), { status: 'saved', bytes: 1 });
    assert.deepEqual((await readEntryMeta(entryDir(root, 'some')))?.paths, ['a.txt']);
  });

  it('restores the newest entry matching the first restore-key prefix as partial', async () => {
    const cwd = await workspace('w');
    for (const [key, at, content] of [
      ['deps-linux-aaa', 3_000, 'newest'],
      ['deps-linux-bbb', 1_000, 'oldest'],
      ['deps-linux-ccc', 2_000, 'middle'],
      ['deps-mac-zzz', 9_000, 'other os'],
    ] as const) {
      now = at;
      await write(cwd, { 'cache.txt': content });
      await store.save(key, ['cache.txt'], cwd);
    }
    const dst = await workspace('dst');
    const result = await store.restore('deps-linux-new', ['deps-linux-', 'deps-'], ['cache.txt'], dst);
    assert.deepEqual(result, { status: 'partial', key: 'deps-linux-aaa', matchedPrefix: 'deps-linux-' });
    assert.equal(await read(dst, 'cache.txt'), 'newest');

    const fallback = await store.restore('deps-win-1', ['deps-win-', 'deps-'], ['cache.txt'], dst);
    assert.deepEqual(fallback, { status: 'partial', key: 'deps-mac-zzz', matchedPrefix: 'deps-' });
    assert.equal(await read(dst, 'cache.txt'), 'other os');
  });

  it('prefers the exact key over a newer prefix match', async () => {
    const cwd = await workspace('w', { 'c.txt': 'exact' });
    await store.save('deps-1', ['c.txt'], cwd);
    now = 5_000;
    await write(cwd, { 'c.txt': 'newer' });
    await store.save('deps-2', ['c.txt'], cwd);
    const dst = await workspace('dst');
    assert.deepEqual(await store.restore('deps-1', ['deps-'], ['c.txt'], dst), {
      status: 'hit',
      key: 'deps-1',
    });
    assert.equal(await read(dst, 'c.txt'), 'exact');
  });

  it('leaves one complete entry when two saves of the same key race', async () => {
    const a = await workspace('a', { 'd/x.txt': 'from a', 'd/y.txt': 'from a' });
    const b = await workspace('b', { 'd/x.txt': 'from b', 'd/y.txt': 'from b' });
    const results = await Promise.all([store.save('same', ['d'], a), store.save('same', ['d'], b)]);
    const statuses = results.map((r) => r.status).sort();
    assert.ok(statuses.includes('saved'), `one save must win, got ${statuses.join(',')}`);
    assert.ok(statuses.every((s) => s === 'saved' || s === 'exists'));
    assert.equal(statuses.filter((s) => s === 'saved').length, 1);

    const dst = await workspace('dst');
    await store.restore('same', [], ['d'], dst);
    const x = await read(dst, 'd/x.txt');
    assert.equal(await read(dst, 'd/y.txt'), x, 'the entry must come wholly from one saver');
    assert.deepEqual(await readdir(join(root, 'entries')), [basename(entryDir(root, 'same'))]);
    assert.deepEqual(await readdir(join(root, 'tmp')), [], 'the loser discards its temp directory');
  });

  it('rejects paths outside the working directory with CACHE_PATH_OUTSIDE', async () => {
    const cwd = await workspace('w', { 'a.txt': 'a' });
    await assert.rejects(store.save('k', ['../x'], cwd), isCacheError('CACHE_PATH_OUTSIDE'));
    await assert.rejects(store.save('k', [join(base, 'elsewhere')], cwd), isCacheError('CACHE_PATH_OUTSIDE'));
    await assert.rejects(store.restore('k', [], ['a/../../x'], cwd), isCacheError('CACHE_PATH_OUTSIDE'));
    await assert.rejects(store.save('k', ['.'], cwd), isCacheError('CACHE_PATH_INVALID'));
    assert.deepEqual(await store.save('k', [join(cwd, 'a.txt')], cwd), { status: 'saved', bytes: 1 });
  });

  it('rejects a path whose parent is a symlink leading outside', async () => {
    const outside = await workspace('outside', { 'secret/file': 's' });
    const cwd = await workspace('w');
    await symlink(outside, join(cwd, 'link'));
    await assert.rejects(store.save('k', ['link/secret'], cwd), isCacheError('CACHE_PATH_OUTSIDE'));
  });

  it('round-trips nested directory trees and keeps symlinks as links', async () => {
    const src = await workspace('src', {
      'build/a/b/c/deep.txt': 'deep',
      'build/a/top.txt': 'top',
      'build/.hidden': 'h',
    });
    await mkdir(join(src, 'build/empty'), { recursive: true });
    await symlink('a/b/c/deep.txt', join(src, 'build/link.txt'));
    assert.deepEqual(await store.save('tree', ['build'], src), { status: 'saved', bytes: 8 });

    const dst = await workspace('dst');
    await store.restore('tree', [], ['build'], dst);
    assert.equal(await read(dst, 'build/a/b/c/deep.txt'), 'deep');
    assert.equal(await read(dst, 'build/a/top.txt'), 'top');
    assert.equal(await read(dst, 'build/.hidden'), 'h');
    assert.ok((await lstat(join(dst, 'build/empty'))).isDirectory());
    assert.ok((await lstat(join(dst, 'build/link.txt'))).isSymbolicLink());
    assert.equal(await readlink(join(dst, 'build/link.txt')), 'a/b/c/deep.txt');
    assert.equal(await read(dst, 'build/link.txt'), 'deep');
  });

  it('accepts any key string, including separators and dots', async () => {
    const cwd = await workspace('w', { 'f.txt': 'f' });
    const key = '../../etc/passwd/ ${{ weird }}';
    assert.equal((await store.save(key, ['f.txt'], cwd)).status, 'saved');
    const dst = await workspace('dst');
    assert.deepEqual(await store.restore(key, [], ['f.txt'], dst), { status: 'hit', key });
  });
});
