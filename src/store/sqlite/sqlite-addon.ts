/**
 * Where better-sqlite3's compiled addon is. Without it the package asks `bindings` to search a
 * dozen candidate paths (reading its own stack trace to find where it lives), about two
 * milliseconds of every `slipway` start that opens the store.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** `bindings`' first candidates, in its order; a build elsewhere is left to its search. */
const CANDIDATES = [
  ['build', 'better_sqlite3.node'],
  ['build', 'Debug', 'better_sqlite3.node'],
  ['build', 'Release', 'better_sqlite3.node'],
] as const;

/** The addon file `bindings` would load, or undefined to let it search. */
export function sqliteAddonPath(): string | undefined {
  let root: string;
  try {
    root = dirname(createRequire(import.meta.url).resolve('better-sqlite3/package.json'));
  } catch {
    return undefined;
  }
  for (const parts of CANDIDATES) {
    const path = join(root, ...parts);
    if (existsSync(path)) return path;
  }
  return undefined;
}
