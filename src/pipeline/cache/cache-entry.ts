// On-disk layout of cache entries: `entries/<sha256(key)>/meta.json` next to a `files/` tree.
import { createHash } from 'node:crypto';
import { lstat, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** What `meta.json` records about one immutable cache entry. */
export interface CacheEntryMeta {
  readonly key: string;
  /** Milliseconds since the epoch, from the store's clock. */
  readonly createdAt: number;
  /** Saved paths, relative to the working directory they came from. */
  readonly paths: readonly string[];
  /** Total size of the regular files in the entry. */
  readonly bytes: number;
}

/** Directory holding every complete entry. */
export function entriesDir(root: string): string {
  return join(root, 'entries');
}

/** Directory of the entry for `key`; hashing keeps any key string safe as a file name. */
export function entryDir(root: string, key: string): string {
  return join(entriesDir(root), createHash('sha256').update(key).digest('hex'));
}

/** Reads an entry's metadata, or undefined when the entry does not exist or is unreadable. */
export async function readEntryMeta(dir: string): Promise<CacheEntryMeta | undefined> {
  try {
    const meta = JSON.parse(await readFile(join(dir, 'meta.json'), 'utf8')) as Partial<CacheEntryMeta>;
    if (typeof meta.key !== 'string' || typeof meta.createdAt !== 'number' || !Array.isArray(meta.paths)) {
      return undefined;
    }
    return { key: meta.key, createdAt: meta.createdAt, paths: meta.paths, bytes: meta.bytes ?? 0 };
  } catch {
    return undefined;
  }
}

/** Lists every readable entry with its directory. */
export async function listEntries(root: string): Promise<{ dir: string; meta: CacheEntryMeta }[]> {
  let names: string[];
  try {
    names = await readdir(entriesDir(root));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const entries = await Promise.all(
    names.map(async (name) => {
      const dir = join(entriesDir(root), name);
      const meta = await readEntryMeta(dir);
      return meta === undefined ? undefined : { dir, meta };
    }),
  );
  return entries.filter((entry) => entry !== undefined);
}

/** Sums the sizes of the regular files under `path` (symlinks count as nothing). */
export async function treeBytes(path: string): Promise<number> {
  const stat = await lstat(path);
  if (stat.isFile()) return stat.size;
  if (!stat.isDirectory()) return 0;
  let total = 0;
  for (const name of await readdir(path)) total += await treeBytes(join(path, name));
  return total;
}
