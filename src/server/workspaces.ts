// Checkouts of pushed commits for webhook runs: `git worktree add --detach` under .slipway/workspaces/<sha>.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { PRIVATE_DIR_MODE } from '../state-files/private-modes.js';
import { ApiError } from './errors.js';

const run = promisify(execFile);

/** A full commit id (SHA-1, or SHA-256 for repositories that use it). */
export const COMMIT_SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

async function git(cwd: string, args: string[]): Promise<string> {
  // No prompt may wait for a password that nobody will type (a fetch from a private origin).
  const env = { ...process.env, GIT_TERMINAL_PROMPT: '0' };
  const { stdout } = await run('git', args, { cwd, env, timeout: 120_000, maxBuffer: 1024 * 1024 });
  return stdout.trim();
}

async function succeeds(cwd: string, args: string[]): Promise<boolean> {
  try {
    await git(cwd, args);
    return true;
  } catch {
    return false;
  }
}

/** Creates (or reuses) one worktree per commit of the project's repository, one at a time. */
export class Workspaces {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly projectDir: string) {}

  /**
   * The project directory inside the workspace of `sha`, created when missing. A commit not in the
   * repository is fetched from `origin` once; still missing, it is a 422 UNKNOWN_COMMIT.
   */
  checkout(sha: string): Promise<string> {
    const next = this.queue.then(() => this.prepare(sha));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async prepare(sha: string): Promise<string> {
    if (!COMMIT_SHA.test(sha))
      throw new ApiError(400, 'INVALID_REQUEST', `'${sha}' is not a commit id`, 'after');
    const root = this.projectDir;
    let prefix: string;
    try {
      prefix = await git(root, ['rev-parse', '--show-prefix']);
    } catch (error) {
      throw new ApiError(
        422,
        'NOT_A_REPOSITORY',
        `the project directory ${root} is not a git repository`,
        undefined,
        {
          cause: error,
        },
      );
    }
    const dir = join(root, '.slipway', 'workspaces', sha);
    if (existsSync(dir) && (await succeeds(dir, ['rev-parse', '--verify', 'HEAD']))) return join(dir, prefix);
    const present = () => succeeds(root, ['cat-file', '-e', `${sha}^{commit}`]);
    if (!(await present())) {
      await succeeds(root, ['fetch', '--quiet', 'origin']);
      if (!(await present()))
        throw new ApiError(
          422,
          'UNKNOWN_COMMIT',
          `commit ${sha} is not in the project repository, not even after \`git fetch origin\``,
          'after',
        );
    }
    // A workspace left half-made (its folder removed, or an interrupted add) is cleared first.
    await rm(dir, { recursive: true, force: true });
    await succeeds(root, ['worktree', 'prune']);
    // git would make the missing parents with the umask's modes; the state folder is the owner's alone.
    await mkdir(dirname(dir), { recursive: true, mode: PRIVATE_DIR_MODE });
    await git(root, ['worktree', 'add', '--detach', dir, sha]);
    return join(dir, prefix);
  }
}
