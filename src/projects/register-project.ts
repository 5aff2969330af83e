// Registering a project: the one use case behind `slipway project add` and POST /api/v1/projects.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { PROJECT_NAME } from '../store/project-queries.js';
import type { Project, Store } from '../store/store.js';
import { normalizeRepoAddress, RepoAddressError } from './repo-address.js';

/** What a user gives to register a project. */
export interface ProjectInput {
  readonly name: string;
  readonly repo: string;
  readonly branch: string;
  readonly actor: string;
}

/** True when git accepts `branch` as a branch name. */
function validBranch(branch: string): boolean {
  if (branch === '' || branch.startsWith('-') || branch.length > 200) return false;
  try {
    execFileSync('git', ['check-ref-format', '--branch', branch], { stdio: 'ignore', timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

/**
 * Checks `input` (a local repository path must exist and be a git repository; a remote one is
 * cloned on the first push) and records it. Throws RepoAddressError for bad input.
 */
export async function registerProject(store: Store, input: ProjectInput, cwd: string): Promise<Project> {
  if (!PROJECT_NAME.test(input.name))
    throw new RepoAddressError(
      `a project name is 1-100 letters, digits, '.', '_' or '-' starting with a letter or digit, got '${input.name}'`,
    );
  if (!validBranch(input.branch))
    throw new RepoAddressError(`--branch '${input.branch}' is not a valid branch name`);
  const repo = normalizeRepoAddress(input.repo, cwd);
  if (isAbsolute(repo)) {
    if (!existsSync(repo)) throw new RepoAddressError(`--repo ${repo} does not exist`);
    try {
      execFileSync('git', ['-C', repo, 'rev-parse', '--git-dir'], { stdio: 'ignore', timeout: 10_000 });
    } catch {
      throw new RepoAddressError(`--repo ${repo} is not a git repository`);
    }
  }
  if ((await store.listProjects()).some((p) => p.name === input.name))
    throw new RepoAddressError(`a project named '${input.name}' already exists (remove it first)`);
  return store.createProject({ name: input.name, repo, branch: input.branch, createdBy: input.actor });
}
