/**
 * Remembers the last config that loaded cleanly, keyed by the file's exact bytes, so a run of an
 * unchanged slipway.yaml skips parsing and checking (and loading the parser at all). Any change
 * to the file, its path or Slipway's version misses the cache and loads it for real.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from '../state-files/private-modes.js';
import type { Diagnostic } from './diagnostic.js';
import type { ResolvedConfig } from './resolved.js';

/** A config as cached: the resolved config and the warnings it had. */
export interface CachedConfig {
  readonly config: ResolvedConfig;
  readonly diagnostics: readonly Diagnostic[];
}

// Bumped whenever the resolved config changes shape, so an older cache entry is never read as current.
const CACHE_FORMAT = 4;

function cacheFile(projectDir: string): string {
  return join(projectDir, '.slipway', 'config-cache.json');
}

/** The cache key of a config file's content. */
export function configKey(path: string, text: string, version: string): string {
  return createHash('sha256').update(`${CACHE_FORMAT}\0${version}\0${path}\0${text}`).digest('hex');
}

/** Reads the cached config for `key`, or undefined. */
export function readCachedConfig(projectDir: string, key: string): CachedConfig | undefined {
  try {
    const cached = JSON.parse(readFileSync(cacheFile(projectDir), 'utf8')) as { key?: string } & CachedConfig;
    return cached.key === key ? { config: cached.config, diagnostics: cached.diagnostics } : undefined;
  } catch {
    return undefined;
  }
}

/** Stores a config that loaded without errors (written atomically; failures only cost the cache). */
export function writeCachedConfig(projectDir: string, key: string, value: CachedConfig): void {
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
