/**
 * The job cache: immutable entries under `<projectDir>/.slipway/cache/`, saved atomically
 * (temp directory + rename) and restored by exact key or by the newest entry matching a prefix.
 */
import { cp, lstat, mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE, tightenTree } from '../../state-files/private-modes.js';
import {
  type CacheEntryMeta,
  entriesDir,
  entryDir,
  listEntries,
  readEntryMeta,
  treeBytes,
} from './cache-entry.js';
import { assertParentInside, resolveCachePaths } from './cache-paths.js';
import { toCacheError } from './errors.js';

/** Outcome of a restore: exact key, a restore-key prefix match, or nothing. */
export type CacheRestore =
  | { readonly status: 'hit'; readonly key: string }
  | { readonly status: 'partial'; readonly key: string; readonly matchedPrefix: string }
  | { readonly status: 'miss' };

/** Outcome of a save; an existing entry is never replaced. */
export type CacheSave =
  | { readonly status: 'saved'; readonly bytes: number }
  | { readonly status: 'exists' }
  | { readonly status: 'nothing_to_save' };

/** Saves and restores cached paths of a job's working directory. */
export interface CacheStore {
  /** Restores `paths` from the entry for `key`, else the newest entry matching a restore-key prefix. */
  restore(
    key: string,
    restoreKeys: readonly string[],
    paths: readonly string[],
    cwd: string,
  ): Promise<CacheRestore>;
  /** Saves the existing `paths` under `key` unless an entry for `key` already exists. */
  save(key: string, paths: readonly string[], cwd: string): Promise<CacheSave>;
}

/** Dependencies of the cache store. */
export interface CacheStoreOptions {
  /** The cache directory itself, normally `cacheRoot(projectDir)`. */
  readonly root: string;
  readonly clock: { now(): number };
}

/** Where a project's cache lives: `<projectDir>/.slipway/cache`. */
export function cacheRoot(projectDir: string): string {
  return join(projectDir, '.slipway', 'cache');
}

const COPY_OPTIONS = { recursive: true, verbatimSymlinks: true, preserveTimestamps: true } as const;

/** Creates a cache store rooted at `options.root`. */
export function createCacheStore(options: CacheStoreOptions): CacheStore {
  const { root, clock } = options;

  async function restore(
    key: string,
    restoreKeys: readonly string[],
    paths: readonly string[],
    cwd: string,
  ): Promise<CacheRestore> {
    const rels = resolveCachePaths(paths, cwd);
    try {
      const exactDir = entryDir(root, key);
      const exact = await readEntryMeta(exactDir);
      if (exact !== undefined && exact.key === key) {
        await restoreEntry(exactDir, exact, rels, cwd);
        return { status: 'hit', key };
      }
      const match = selectByPrefix(await listEntries(root), restoreKeys);
      if (match === undefined) return { status: 'miss' };
      await restoreEntry(match.dir, match.meta, rels, cwd);
      return { status: 'partial', key: match.meta.key, matchedPrefix: match.prefix };
    } catch (error) {
      throw toCacheError(error, `could not restore cache '${key}'`);
    }
  }

  async function save(key: string, paths: readonly string[], cwd: string): Promise<CacheSave> {
    const rels = resolveCachePaths(paths, cwd);
    const target = entryDir(root, key);
    let temp: string | undefined;
    try {
      if (await exists(target)) return { status: 'exists' };
      const present: string[] = [];
      for (const rel of rels) {
        await assertParentInside(cwd, rel);
        if (await exists(join(cwd, rel))) present.push(rel);
      }
      if (present.length === 0) return { status: 'nothing_to_save' };

      await mkdir(join(root, 'tmp'), { recursive: true, mode: PRIVATE_DIR_MODE });
      await mkdir(entriesDir(root), { recursive: true, mode: PRIVATE_DIR_MODE });
      temp = await mkdtemp(join(root, 'tmp', 'save-'));
      for (const rel of present) {
        const dest = join(temp, 'files', rel);
        await mkdir(dirname(dest), { recursive: true, mode: PRIVATE_DIR_MODE });
        await cp(join(cwd, rel), dest, COPY_OPTIONS);
      }
      // cp copies the job's modes: the entry keeps only the owner's bits (and execute where set).
      await tightenTree(join(temp, 'files'));
      const bytes = await treeBytes(join(temp, 'files'));
      const meta: CacheEntryMeta = { key, createdAt: clock.now(), paths: present, bytes };
      await writeFile(join(temp, 'meta.json'), `${JSON.stringify(meta, null, 2)}\n`, {
        mode: PRIVATE_FILE_MODE,
      });
      try {
        await rename(temp, target);
      } catch (error) {
        // A concurrent saver of the same key renamed first: its entry stands, ours is dropped.
        if (isAlreadyThere(error)) return { status: 'exists' };
        throw error;
      }
      temp = undefined;
      return { status: 'saved', bytes };
    } catch (error) {
      throw toCacheError(error, `could not save cache '${key}'`);
    } finally {
      if (temp !== undefined) await rm(temp, { recursive: true, force: true });
    }
  }

  return { restore, save };
}

/** Picks, for the first restore key with any match, the newest entry whose key starts with it. */
function selectByPrefix<T extends { meta: CacheEntryMeta }>(
  entries: readonly T[],
  restoreKeys: readonly string[],
): (T & { prefix: string }) | undefined {
  for (const prefix of restoreKeys) {
    let best: T | undefined;
    for (const entry of entries) {
      if (!entry.meta.key.startsWith(prefix)) continue;
      if (best === undefined || isNewer(entry.meta, best.meta)) best = entry;
    }
    if (best !== undefined) return { ...best, prefix };
  }
  return undefined;
}

function isNewer(a: CacheEntryMeta, b: CacheEntryMeta): boolean {
  // Ties on the clock fall back to the key so the choice never depends on directory order.
  return a.createdAt !== b.createdAt ? a.createdAt > b.createdAt : a.key > b.key;
}

/** Replaces each requested path the entry holds; requested paths it lacks are left alone. */
async function restoreEntry(
  dir: string,
  meta: CacheEntryMeta,
  rels: readonly string[],
  cwd: string,
): Promise<void> {
  for (const rel of rels) {
    if (!meta.paths.includes(rel)) continue;
    await assertParentInside(cwd, rel);
    const dest = join(cwd, rel);
    await rm(dest, { recursive: true, force: true });
    await mkdir(dirname(dest), { recursive: true });
    await cp(join(dir, 'files', rel), dest, COPY_OPTIONS);
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

function isAlreadyThere(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOTEMPTY' || code === 'EEXIST';
}
