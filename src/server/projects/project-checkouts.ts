// Checkouts of registered projects' pushed commits: one clone per project, one worktree per commit.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { PRIVATE_DIR_MODE } from '../../state-files/private-modes.js';
import type { Project } from '../../store/store.js';
import { ApiError } from '../errors.js';
import { Workspaces } from '../workspaces.js';

const run = promisify(execFile);

async function git(cwd: string, args: string[]): Promise<string> {
  const env = { ...process.env, GIT_TERMINAL_PROMPT: '0' };
  const { stdout } = await run('git', args, { cwd, env, timeout: 300_000, maxBuffer: 1024 * 1024 });
  return stdout.trim();
}

/**
 * Keeps a `--no-checkout` clone of each registered project under `.slipway/projects/NAME/repo`
 * of the server's own project, and checks pushed commits out of it through Workspaces.
 */
export class ProjectCheckouts {
  private readonly workspaces = new Map<string, Workspaces>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly homeDir: string) {}

  /** The checked-out project directory of `sha` in `project`'s repository (cloned on first use). */
  async checkout(project: Project, sha: string): Promise<string> {
    const next = this.queue.then(() => this.clone(project));
    this.queue = next.catch(() => undefined);
    const cloneDir = await next;
    let workspaces = this.workspaces.get(cloneDir);
    if (!workspaces) {
      workspaces = new Workspaces(cloneDir);
      this.workspaces.set(cloneDir, workspaces);
    }
    return workspaces.checkout(sha);
  }

  private async clone(project: Project): Promise<string> {
    const dir = join(this.homeDir, '.slipway', 'projects', project.name, 'repo');
    if (existsSync(join(dir, '.git'))) {
      // The project may have been registered again with another address since the clone.
      if ((await git(dir, ['remote', 'get-url', 'origin']).catch(() => '')) !== project.repo)
        await git(dir, ['remote', 'set-url', 'origin', project.repo]);
      return dir;
    }
    await rm(dir, { recursive: true, force: true });
    await mkdir(dirname(dir), { recursive: true, mode: PRIVATE_DIR_MODE });
    try {
      await git(dirname(dir), ['clone', '--quiet', '--no-checkout', project.repo, dir]);
    } catch (error) {
      await rm(dir, { recursive: true, force: true });
      const stderr = String((error as { stderr?: unknown }).stderr ?? '').trim();
      throw new ApiError(
        422,
        'CLONE_FAILED',
        `cannot clone ${project.repo} for project ${project.name}: ${stderr.split('\n').at(-1) || (error as Error).message}`,
        undefined,
        { cause: error },
      );
    }
    return dir;
  }
}
