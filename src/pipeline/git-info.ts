/** The git branch and commit of the project directory, for `git.*` in expressions and the event log. */
import { execFile, execFileSync } from 'node:child_process';

/** Branch and commit SHA, null outside a git repository. */
export interface GitInfo {
  readonly branch: string | null;
  readonly sha: string | null;
}

const SHA_ARGS = ['rev-parse', 'HEAD'];
const BRANCH_ARGS = ['symbolic-ref', '--quiet', '--short', 'HEAD'];
const TIMEOUT_MS = 5000;

function outputOf(out: string): string | null {
  const trimmed = out.trim();
  return trimmed === '' ? null : trimmed;
}

function git(cwd: string, args: string[]): string | null {
  try {
    return outputOf(
      execFileSync('git', args, {
        cwd,
        stdio: ['ignore', 'pipe', 'ignore'],
        encoding: 'utf8',
        timeout: TIMEOUT_MS,
      }),
    );
  } catch {
    return null;
  }
}

function gitAsync(cwd: string, args: string[]): Promise<string | null> {
  return new Promise((resolve) => {
    // Errors (no git on PATH, not a repository, the timeout) reach the callback: the value is null.
    const child = execFile('git', args, { cwd, encoding: 'utf8', timeout: TIMEOUT_MS }, (error, stdout) =>
      resolve(error ? null : outputOf(stdout)),
    );
    child.stdin?.end();
  });
}

/** Reads the branch (or null when detached) and HEAD commit of `cwd`. */
export function readGitInfo(cwd: string): GitInfo {
  const sha = git(cwd, SHA_ARGS);
  const branch = git(cwd, BRANCH_ARGS);
  return { branch, sha };
}

/**
 * readGitInfo without blocking: both git commands run at once, and alongside whatever the caller
 * does meanwhile (loading the config, opening the store). Never rejects.
 */
export async function readGitInfoAsync(cwd: string): Promise<GitInfo> {
  const [sha, branch] = await Promise.all([gitAsync(cwd, SHA_ARGS), gitAsync(cwd, BRANCH_ARGS)]);
  return { branch, sha };
}
