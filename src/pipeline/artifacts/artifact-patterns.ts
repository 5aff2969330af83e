// Turns artifact glob patterns (`dist/**`, `!**/*.map`) into tinyglobby calls rooted at a directory.
import { isAbsolute, posix, relative, sep } from 'node:path';
import type { GlobOptions } from 'tinyglobby';
import { ArtifactError } from './errors.js';

/** Positive patterns and the `!`-prefixed exclusions, with the `!` removed. */
export interface GlobPlan {
  readonly include: readonly string[];
  readonly ignore: readonly string[];
}

/** Splits patterns into includes and exclusions; an exclusion wins wherever it appears in the list. */
export function planGlob(patterns: readonly string[]): GlobPlan {
  const include: string[] = [];
  const ignore: string[] = [];
  for (const pattern of patterns) {
    if (pattern.startsWith('!')) ignore.push(pattern.slice(1));
    else if (pattern.trim() !== '') include.push(pattern);
  }
  return { include, ignore };
}

/** Throws ARTIFACT_PATH_OUTSIDE when a pattern reaches above or outside `cwd`. */
export function assertPatternsInside(patterns: readonly string[], cwd: string): void {
  for (const pattern of patterns) {
    const bare = pattern.startsWith('!') ? pattern.slice(1) : pattern;
    const rel = isAbsolute(bare) ? relative(cwd, bare) : posix.normalize(bare);
    if (isOutside(rel)) {
      throw new ArtifactError(
        'ARTIFACT_PATH_OUTSIDE',
        `artifact pattern '${pattern}' reaches outside the working directory`,
      );
    }
  }
}

/** tinyglobby options shared by artifact collection and hashFiles: files only, dotfiles included. */
export function globOptions(cwd: string, plan: GlobPlan): GlobOptions {
  return { cwd, ignore: [...plan.ignore], dot: true, onlyFiles: true, expandDirectories: true };
}

/** True when a relative path leaves its base directory. */
export function isOutside(rel: string): boolean {
  return rel === '..' || rel.startsWith('../') || rel.startsWith(`..${sep}`) || isAbsolute(rel);
}
