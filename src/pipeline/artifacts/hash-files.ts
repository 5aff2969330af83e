// `hashFiles()` of expressions: one digest for every file a set of patterns matches.
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { globSync } from 'tinyglobby';
import { globOptions, isOutside, planGlob } from './artifact-patterns.js';
import { hashFileSync } from './file-hash.js';

/**
 * GitHub Actions' hashFiles: SHA-256 over each matched file's SHA-256, in sorted path order;
 * '' when nothing matches. Synchronous because expression evaluation is; matches outside `cwd`
 * are ignored, as GitHub ignores files outside the workspace.
 */
export function hashFiles(patterns: readonly string[], cwd: string): string {
  const plan = planGlob(patterns);
  if (plan.include.length === 0) return '';
  const files = [...new Set(globSync([...plan.include], globOptions(cwd, plan)))]
    .filter((rel) => !isOutside(rel))
    .sort();
  const result = createHash('sha256');
  let count = 0;
  for (const rel of files) {
    const path = join(cwd, rel);
    if (!statSync(path).isFile()) continue;
    result.update(hashFileSync(path));
    count++;
  }
  return count === 0 ? '' : result.digest('hex');
}
