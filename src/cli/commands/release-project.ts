/** Where `slipway release` and the commands reading releases run: the config, if any, and the project folder. */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { findConfigFile } from '../../config/config-file.js';
import type { ResolvedConfig } from '../../config/resolved.js';
import { ReleaseError } from '../../release/errors.js';
import type { CommandContext } from '../context.js';

const execFileAsync = promisify(execFile);

/** The project's `.slipway` folder (as in ../platform.ts, which would load the whole platform). */
export const stateDirOf = (projectDir: string) => join(projectDir, '.slipway');

/**
 * The config when there is one (release works without it), and the directory releases live in:
 * the config's folder, else the repository root, else the current directory.
 */
export async function releaseProject(
  ctx: CommandContext,
  options: { config: boolean } = { config: true },
): Promise<{ config?: ResolvedConfig; projectDir: string }> {
  let hasConfig = true;
  try {
    findConfigFile(ctx.io.cwd, ctx.options.file);
  } catch {
    hasConfig = false;
  }
  if (hasConfig) {
    const { loadProject, projectDirOf } = await import('../project.js');
    if (!options.config) return { projectDir: projectDirOf(ctx) };
    const { config, projectDir } = await loadProject(ctx);
    return { config, projectDir };
  }
  try {
    const { stdout } = await execFileAsync('git', ['rev-parse', '--show-toplevel'], {
      cwd: ctx.io.cwd,
      env: ctx.io.env,
    });
    const root = stdout.trim();
    return { projectDir: root || ctx.io.cwd };
  } catch {
    if (options.config)
      throw new ReleaseError(
        'NOT_A_GIT_REPO',
        `${ctx.io.cwd} is not in a git repository: releases are made from git history (run \`git init\` and commit first)`,
      );
    return { projectDir: ctx.io.cwd };
  }
}
