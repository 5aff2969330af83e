/** Opens what a project-scoped command needs: its config, its store, who is acting. */

import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { basename, dirname, relative } from 'node:path';
import { configKey, readCachedConfig, writeCachedConfig } from '../config/config-cache.js';
import { findConfigFile } from '../config/config-file.js';
import { formatDiagnostic } from '../config/diagnostic.js';
import { ConfigFileError } from '../config/errors.js';
import type { ResolvedConfig } from '../config/resolved.js';
import { slipwayVersion } from '../package/version.js';
import { openStore } from '../store/open-store.js';
import type { Store } from '../store/store.js';
import type { CommandContext } from './context.js';
import { UsageError } from './errors.js';

/** A loaded, valid config and where it lives. */
export interface LoadedProject {
  readonly config: ResolvedConfig;
  readonly projectDir: string;
  readonly file: string;
}

/** Loads the config (from the cache when unchanged); prints its diagnostics and throws a UsageError when invalid. */
export async function loadProject(ctx: CommandContext): Promise<LoadedProject> {
  const path = findConfigFile(ctx.io.cwd, ctx.options.file);
  const projectDir = dirname(path);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new ConfigFileError(
      missing ? 'CONFIG_NOT_FOUND' : 'CONFIG_UNREADABLE',
      `cannot read ${path}: ${missing ? 'no such file' : (error as Error).message}`,
      { cause: error },
    );
  }
  const key = configKey(path, text, slipwayVersion());
  const cached = await readCachedConfig(projectDir, key);
  const result =
    cached ??
    (await import('../config/load-config.js')).loadConfigText(text, basename(projectDir), {
      dir: projectDir,
      file: basename(path),
    });
  if (!cached && result.config)
    writeCachedConfig(projectDir, key, {
      config: result.config,
      diagnostics: result.diagnostics,
      ...(result.inputs ? { inputs: result.inputs } : {}),
    });
  const shown = relative(ctx.io.cwd, path) || path;
  for (const d of result.diagnostics) {
    if (d.severity === 'error' || !ctx.output.json) ctx.output.error(formatDiagnostic(shown, d));
  }
  if (!result.config)
    throw new UsageError(`${shown} is invalid; fix the errors above (\`slipway validate\` lists them)`);
  return { config: result.config, projectDir, file: path };
}

/** The project directory for commands that only need the store: the config's folder, else cwd. */
export function projectDirOf(ctx: CommandContext): string {
  try {
    return dirname(findConfigFile(ctx.io.cwd, ctx.options.file));
  } catch {
    return ctx.io.cwd;
  }
}

/** Opens the store of a project (PostgreSQL when SLIPWAY_DATABASE_URL is set). */
export function openProjectStore(ctx: CommandContext, projectDir: string): Promise<Store> {
  return openStore({ projectDir, databaseUrl: ctx.io.env.SLIPWAY_DATABASE_URL });
}

/** Who is acting: SLIPWAY_ACTOR, else the OS user. */
export function actorOf(ctx: CommandContext): string {
  const fromEnv = ctx.io.env.SLIPWAY_ACTOR?.trim();
  if (fromEnv) return fromEnv;
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

/** Parses a run id argument. */
export function parseRunId(text: string | undefined): number {
  const id = Number(text);
  if (!text || !Number.isInteger(id) || id <= 0)
    throw new UsageError(`expected a run id (a positive number), got '${text ?? ''}'`);
  return id;
}
