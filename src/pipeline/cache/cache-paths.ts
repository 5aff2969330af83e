// Keeps cache paths inside the job's working directory, lexically and through symlinked parents.
import { realpath } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { CacheError } from './errors.js';

/** Normalizes cache paths to unique paths relative to `cwd`; throws CACHE_PATH_OUTSIDE on escapes. */
export function resolveCachePaths(paths: readonly string[], cwd: string): string[] {
  const out: string[] = [];
  for (const path of paths) {
    const rel = relative(cwd, resolve(cwd, path));
    if (rel === '') {
      throw new CacheError('CACHE_PATH_INVALID', `cache path '${path}' is the working directory itself`);
    }
    if (isOutside(rel)) {
      throw new CacheError('CACHE_PATH_OUTSIDE', `cache path '${path}' is outside the working directory`);
    }
    if (!out.includes(rel)) out.push(rel);
  }
  return out;
}

/** Throws CACHE_PATH_OUTSIDE when a symlinked parent directory of `rel` leads out of `cwd`. */
export async function assertParentInside(cwd: string, rel: string): Promise<void> {
  const realCwd = await realpath(cwd);
  let dir = dirname(resolve(cwd, rel));
  for (;;) {
    try {
      const real = await realpath(dir);
      const inner = relative(realCwd, real);
      if (inner !== '' && isOutside(inner)) {
        throw new CacheError('CACHE_PATH_OUTSIDE', `cache path '${rel}' leads outside the working directory`);
      }
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || dir === dirname(dir)) throw error;
      dir = dirname(dir);
    }
  }
}

function isOutside(rel: string): boolean {
  return rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel);
}
