/**
 * Remembers the last config that loaded cleanly, keyed by the file's exact bytes, so a run of an
 * unchanged slipway.yaml skips parsing and checking (and loading the parser at all). Any change
 * to the file, its path or Slipway's version misses the cache and loads it for real, and so does
 * any change to the flag files it read (`flags.sources`: what the globs match, and their text).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from '../state-files/private-modes.js';
import type { Diagnostic } from './diagnostic.js';
import type { ConfigInputs } from './flag-source-files.js';
import type { ResolvedConfig } from './resolved.js';

/** A config as cached: the resolved config, the warnings it had and the flag files it read. */
export interface CachedConfig {
  readonly config: ResolvedConfig;
  readonly diagnostics: readonly Diagnostic[];
  readonly inputs?: ConfigInputs;
}

// Bumped whenever the resolved config changes shape, so an older cache entry is never read as current.
const CACHE_FORMAT = 5;

function cacheFile(projectDir: string): string {
  return join(projectDir, '.slipway', 'config-cache.json');
}

/** The cache key of a config file's content. */
export function configKey(path: string, text: string, version: string): string {
  return createHash('sha256').update(`${CACHE_FORMAT}\0${version}\0${path}\0${text}`).digest('hex');
}

/** Reads the cached config for `key`, or undefined (also when a flag file it read has changed). */
export async function readCachedConfig(projectDir: string, key: string): Promise<CachedConfig | undefined> {
  let cached: { key?: string } & CachedConfig;
  try {
    cached = JSON.parse(readFileSync(cacheFile(projectDir), 'utf8')) as { key?: string } & CachedConfig;
  } catch {
    return undefined;
  }
  if (cached.key !== key) return undefined;
  // The glob library is loaded only for a config that has flag files.
  if (cached.inputs && cached.inputs.globs.length > 0) {
    const { inputsUnchanged } = await import('./flag-source-files.js');
    if (!inputsUnchanged(projectDir, cached.inputs)) return undefined;
  }
  return { config: cached.config, diagnostics: cached.diagnostics };
}

/**
 * Stores a config that loaded without errors (written atomically; failures only cost the cache).
 * A config with `flags:` is stored only with the files it read (`inputs`), so a changed one is noticed.
 */
export function writeCachedConfig(projectDir: string, key: string, value: CachedConfig): void {
  if (value.config.flags && !value.inputs) return;
  try {
    const file = cacheFile(projectDir);
    mkdirSync(join(projectDir, '.slipway'), { recursive: true, mode: PRIVATE_DIR_MODE });
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify({ key, ...value }), { mode: PRIVATE_FILE_MODE });
    renameSync(temp, file);
  } catch {
    // a read-only project just runs without the cache
  }
}
