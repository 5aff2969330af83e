/** Opens what a project-scoped command needs: its config, its store, who is acting. */
import { userInfo } from 'node:os';
import { relative } from 'node:path';
import { formatDiagnostic } from '../spec/diagnostic.js';
import { findConfigFile, loadConfigFile } from '../spec/load-config.js';
import type { ResolvedConfig } from '../spec/resolved.js';
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

/** Loads the config; prints its diagnostics and throws a UsageError when it is invalid. */
export function loadProject(ctx: CommandContext): LoadedProject {
  const path = findConfigFile(ctx.io.cwd, ctx.options.file);
  const result = loadConfigFile(path);
  const shown = relative(ctx.io.cwd, path) || path;
  for (const d of result.diagnostics) {
    if (d.severity === 'error' || !ctx.output.json) ctx.output.error(formatDiagnostic(shown, d));
  }
  if (!result.config)
    throw new UsageError(`${shown} is invalid; fix the errors above (\`slipway validate\` lists them)`);
  return { config: result.config, projectDir: result.projectDir, file: path };
}

/** The project directory for commands that only need the store: the config's folder, else cwd. */
export function projectDirOf(ctx: CommandContext): string {
  try {
    return loadConfigFile(findConfigFile(ctx.io.cwd, ctx.options.file)).projectDir;
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
