/** The git branch and commit of the project directory, for `git.*` in expressions and the event log. */
import { execFileSync } from 'node:child_process';

/** Branch and commit SHA, null outside a git repository. */
export interface GitInfo {
  readonly branch: string | null;
  readonly sha: string | null;
}

function git(cwd: string, args: string[]): string | null {
  try {
    const out = execFileSync('git', args, {
      cwd,
      stdio: ['ignore', 'pipe', 'ignore'],
      encoding: 'utf8',
      timeout: 5000,
    }).trim();
    return out === '' ? null : out;
  } catch {
    return null;
  }
}

/** Reads the branch (or null when detached) and HEAD commit of `cwd`. */
export function readGitInfo(cwd: string): GitInfo {
  const sha = git(cwd, ['rev-parse', 'HEAD']);
  const branch = git(cwd, ['symbolic-ref', '--quiet', '--short', 'HEAD']);
  return { branch, sha };
}
